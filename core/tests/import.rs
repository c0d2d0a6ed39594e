//! `creditbook::import`: what each entry line of an export reads as, and every way a line is
//! refused (the month-end run stops at such a line; fuzz/checks/csv_line.rs fuzzes the same).

use chrono::{TimeZone, Utc};
use creditbook::import::{parse_entry_line, parse_instant, LineError, HEADER};
use creditbook::{Command, Currency, Direction, Error};
use rust_decimal::Decimal;

fn cad() -> Currency {
    Currency::from_code("CAD").unwrap()
}

fn read(line: &str) -> Result<Command, LineError> {
    parse_entry_line(line, cad()).map(|l| l.command)
}

#[test]
fn every_kind_reads_as_its_command() {
    let line =
        parse_entry_line("e-1,A-17,2024-12-01T03:04:05Z,charge,12.50,S-1001", cad()).unwrap();
    assert_eq!((line.account, line.op_id.as_str()), ("A-17", "e-1"));
    assert_eq!(line.at, Utc.with_ymd_and_hms(2024, 12, 1, 3, 4, 5).unwrap());
    let Command::Charge(c) = line.command else {
        panic!("not a charge")
    };
    assert_eq!(c.amount.amount, Decimal::new(1250, 2));
    assert_eq!(c.sale.as_deref(), Some("S-1001"));

    let at = "2024-12-01T03:04:05Z";
    let Command::Payment(p) = read(&format!("e,A,{at},payment,20,")).unwrap() else {
        panic!()
    };
    assert_eq!(
        (p.amount.amount, p.reference),
        (Decimal::new(2000, 2), None)
    );
    assert!(p.invoices.is_empty(), "a payment goes oldest first");
    assert!(matches!(
        read(&format!("e,A,{at},deposit,5.00,layaway")).unwrap(),
        Command::Deposit { reference: Some(r), .. } if r == "layaway"
    ));
    assert!(matches!(
        read(&format!("e,A,{at},refund_to_credit,3.00,S-9")).unwrap(),
        Command::RefundToCredit {
            sale: None,
            sale_total: None,
            ..
        }
    ));
}

#[test]
fn an_adjustments_sign_is_its_direction_and_its_reference_its_reason() {
    let at = "2024-12-01T03:04:05Z";
    let Command::Adjust {
        direction,
        amount,
        reason,
    } = read(&format!("e,A,{at},adjustment,-1.25,")).unwrap()
    else {
        panic!("not an adjustment")
    };
    assert_eq!(direction, Direction::Credit);
    assert_eq!(amount.amount, Decimal::new(125, 2));
    assert_eq!(reason, "import");
    let Command::Adjust {
        direction, reason, ..
    } = read(&format!("e,A,{at},adjustment,4.00,price fix")).unwrap()
    else {
        panic!("not an adjustment")
    };
    assert_eq!(
        (direction, reason.as_str()),
        (Direction::Debit, "price fix")
    );
}

#[test]
fn a_line_needs_exactly_six_fields() {
    assert_eq!(
        read("a,b,c").unwrap_err(),
        LineError::FieldCount { found: 3 }
    );
    let err = read("e,A,2024-12-01T03:04:05Z,charge,1.00,S,x").unwrap_err();
    assert_eq!(err, LineError::FieldCount { found: 7 });
    assert_eq!(err.to_string(), "expected 6 fields, found 7");
    assert_eq!(read("").unwrap_err(), LineError::FieldCount { found: 1 });
}

#[test]
fn timestamps_are_read_strictly() {
    for bad in [
        "2024-12-01",
        "2024-12-01T03:04:05",
        "2024-12-01T03:04:05+00:00",
        "2024-12-01 03:04:05Z",
        "2024-02-30T03:04:05Z",
        "2024-12-01T24:00:00Z",
        "2024-12-01T23:59:60Z",
        "+024-12-01T03:04:05Z",
        "2024-+2-01T03:04:05Z",
        "２０２4-12-01T03:04:05Z",
    ] {
        assert_eq!(parse_instant(bad), None, "{bad}");
        let err = read(&format!("e,A,{bad},charge,1.00,")).unwrap_err();
        assert_eq!(err, LineError::Timestamp(bad.into()));
    }
    assert_eq!(
        parse_instant("2024-02-29T23:59:59Z"),
        Some(Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).unwrap())
    );
}

#[test]
fn amounts_and_kinds_are_refused_with_the_reason() {
    let at = "2024-12-01T03:04:05Z";
    let err = read(&format!("e,A,{at},charge,12.505,")).unwrap_err();
    let LineError::Amount { text, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(text, "12.505");
    assert!(matches!(error, Error::TooManyDecimals { .. }), "{error:?}");
    assert!(
        err.to_string().starts_with("bad amount \"12.505\": "),
        "{err}"
    );
    for bad in ["1e3", "", "abc", "1,00", "NaN"] {
        let line = format!("e,A,{at},charge,{bad},");
        assert!(
            matches!(
                read(&line),
                Err(LineError::Amount { .. }) | Err(LineError::FieldCount { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        read(&format!("e,A,{at},loan,1.00,")).unwrap_err(),
        LineError::Kind("loan".into())
    );
    // The header line is not an entry.
    assert!(parse_entry_line(HEADER, cad()).is_err());
}
