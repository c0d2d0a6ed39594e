//! Strict conversions of Python arguments to core types, and of core values back to Python.
//!
//! Money is `decimal.Decimal` or `int` and nothing else: pyo3's own extraction would take a float
//! (`0.1 + 0.2` as `0.30000000000000004`), a bool (`True` as 1) or a str, and round a Decimal with
//! more than 28 decimals. Instants are timezone-aware `datetime`s; dates are `date`s and not
//! `datetime`s (a `datetime` is a `date` to `isinstance`, and its time would be dropped).

use chrono::{DateTime, NaiveDate, Utc};
use creditbook::{Currency, Error, Money};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyInt, PyString, PyTuple, PyType};
use rust_decimal::Decimal;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// 1970-01-01T00:00:00+00:00.
fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    EPOCH
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                datetime_type(py)?
                    .call1((1970, 1, 1, 0, 0, 0, 0, utc(py)?))?
                    .unbind(),
            )
        })
        .map(|e| e.bind(py))
}

fn utc(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })
    .map(|u| u.bind(py))
}

fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}

fn date_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATE.import(py, "datetime", "date")
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// An exact amount: a `decimal.Decimal` (finite) or an `int`. Float, bool and str raise
/// `TypeError`; NaN, infinities and values no decimal of 28 digits holds raise `InvalidAmount`.
pub fn decimal(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Decimal> {
    let py = obj.py();
    if obj.is_instance(decimal_type(py)?)? {
        let text = obj.str()?;
        let text = text.to_cow()?;
        if let Ok(d) = Decimal::from_str_exact(&text) {
            return Ok(d);
        }
        return decimal_from_tuple(obj, &text);
    }
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Decimal::from(i));
        }
        return match obj
            .extract::<i128>()
            .ok()
            .and_then(|i| Decimal::try_from_i128_with_scale(i, 0).ok())
        {
            Some(d) => Ok(d),
            None => Err(crate::errors::core(Error::Overflow)),
        };
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be a decimal.Decimal or an int (exact), not {}",
        type_name(obj)
    )))
}

/// A Decimal whose text `rust_decimal` does not read exactly (exponent notation, more than 28
/// decimals with trailing zeros): read from its digits, never rounded.
fn decimal_from_tuple(obj: &Bound<'_, PyAny>, text: &str) -> PyResult<Decimal> {
    let invalid = || {
        crate::errors::core(Error::InvalidAmountText {
            text: text.chars().take(64).collect(),
        })
    };
    let t = obj.call_method0("as_tuple")?;
    let t = t.cast::<PyTuple>()?;
    let sign: i64 = t.get_item(0)?.extract()?;
    let digits: Vec<u8> = t.get_item(1)?.extract()?;
    let Ok(mut exponent) = t.get_item(2)?.extract::<i64>() else {
        return Err(invalid()); // NaN or infinity: the exponent is 'n', 'N' or 'F'
    };
    let mut digits = digits;
    while exponent < 0 && digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
        exponent += 1;
    }
    let mut mantissa: i128 = 0;
    for d in &digits {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(*d)))
            .ok_or_else(|| crate::errors::core(Error::Overflow))?;
    }
    if mantissa == 0 {
        // Zero whatever its exponent: `0E+999999999999999999` is not 10^18 multiplications.
        exponent = exponent.min(0);
    }
    while exponent > 0 {
        mantissa = mantissa
            .checked_mul(10)
            .ok_or_else(|| crate::errors::core(Error::Overflow))?;
        exponent -= 1;
    }
    if sign == 1 {
        mantissa = -mantissa;
    }
    // `exponent` is at most 0 here; below -u32::MAX it is still too many decimals.
    let scale = u32::try_from(-exponent).unwrap_or(u32::MAX);
    if scale > 28 {
        // More decimals than any currency has.
        return Err(crate::errors::core(Error::TooManyDecimals {
            amount: Decimal::ZERO,
            currency: String::new(),
            allowed: 28,
        }));
    }
    Decimal::try_from_i128_with_scale(mantissa, scale)
        .map_err(|_| crate::errors::core(Error::Overflow))
}

/// An amount in the store's currency.
pub fn money(name: &str, obj: &Bound<'_, PyAny>, currency: Currency) -> PyResult<Money> {
    Ok(Money::new(decimal(name, obj)?, currency))
}

/// An optional amount (`None` stays `None`).
pub fn opt_money(
    name: &str,
    obj: Option<&Bound<'_, PyAny>>,
    currency: Currency,
) -> PyResult<Option<Money>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(money(name, o, currency)?)),
        _ => Ok(None),
    }
}

/// An instant: a timezone-aware `datetime` (naive raises `ValueError`, anything else `TypeError`).
pub fn instant(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    let py = obj.py();
    if !obj.is_instance(datetime_type(py)?)? {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a timezone-aware datetime.datetime, not {}",
            type_name(obj)
        )));
    }
    let tz = obj.getattr(intern!(py, "tzinfo"))?;
    if !tz.is(utc(py)?) && (tz.is_none() || obj.call_method0(intern!(py, "utcoffset"))?.is_none()) {
        return Err(PyValueError::new_err(format!(
            "{name} must be timezone-aware (a naive datetime has no instant): give it a tzinfo, e.g. datetime.timezone.utc"
        )));
    }
    // Aware datetimes subtract across time zones: one subtraction and three reads instead of
    // a read per field and a conversion to UTC.
    let delta = obj.sub(epoch(py)?)?;
    let days: i64 = delta.getattr(intern!(py, "days"))?.extract()?;
    let seconds: i64 = delta.getattr(intern!(py, "seconds"))?.extract()?;
    let micros: u32 = delta.getattr(intern!(py, "microseconds"))?.extract()?;
    days.checked_mul(86_400)
        .and_then(|d| d.checked_add(seconds))
        .and_then(|secs| DateTime::from_timestamp(secs, micros * 1_000))
        .ok_or_else(|| PyValueError::new_err(format!("{name} is out of range")))
}

/// An optional instant; `None` is now.
pub fn instant_or_now(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<DateTime<Utc>> {
    match obj {
        Some(o) if !o.is_none() => instant(name, o),
        _ => Ok(now()),
    }
}

/// The current instant (the core has no clock; the bindings read the host's).
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// A calendar date: a `datetime.date` that is not a `datetime` (`TypeError` otherwise).
pub fn date(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<NaiveDate> {
    let py = obj.py();
    if !obj.is_instance(date_type(py)?)? || obj.is_instance(datetime_type(py)?)? {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a datetime.date (not a datetime: its time would be dropped), not {}",
            type_name(obj)
        )));
    }
    obj.extract::<NaiveDate>()
}

/// An optional date (`None` stays `None`).
pub fn opt_date(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<NaiveDate>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(date(name, o)?)),
        _ => Ok(None),
    }
}

/// A `str` argument (no implicit `str()` of other objects).
pub fn text(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    match obj.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{name} must be a str, not {}",
            type_name(obj)
        ))),
    }
}

/// A count of days or a number of entries: an `int` that is not a bool.
pub fn count(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an int, not {}",
            type_name(obj)
        )));
    }
    obj.extract::<u64>()
        .map_err(|_| PyValueError::new_err(format!("{name} is out of range")))
}
