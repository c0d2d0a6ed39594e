//! TLS to the server (feature `tls`, run by `make pg-test`): the throwaway server is given a
//! certificate signed by a certificate authority made here with `openssl` (self-signed) and
//! listens on 127.0.0.1 too; a store that trusts that authority works over TLS (the server sees its connections encrypted), one that
//! trusts another authority is refused at the handshake, a store given TLS options never falls
//! back to plain text, and no error carries the DSN's password. The server is set back as it was
//! at the end.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use creditbook::{Book, Charge, CreditLimit, Customer, OpenAccount, Operation, Permission};
use creditbook_postgres::{OpenError, PostgresStore, TlsOptions};

const SECRET: &str = "hunter2-Sesame-tls";

fn openssl(args: &[&str], dir: &Path) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl (make pg-test installs it)");
    assert!(status.success(), "openssl {args:?}: {status}");
}

/// A certificate authority of its own (`<name>-ca.crt`) and, signed by it, a certificate for
/// localhost and 127.0.0.1 with its key (`<name>.crt`, `<name>.key`), in `dir`, owned by `uid`
/// (the server's user: the key must be its own and private). Returns the three paths.
fn certificates(dir: &Path, name: &str, uid: u32) -> [PathBuf; 3] {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let (ca, ca_key) = (format!("{name}-ca.crt"), format!("{name}-ca.key"));
    let (crt, key, csr) = (
        format!("{name}.crt"),
        format!("{name}.key"),
        format!("{name}.csr"),
    );
    let ext = format!("{name}.ext");
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &["-days", "2", "-subj", "/CN=creditbook test CA"],
        ]
        .concat()
        .into_iter()
        .chain(["-keyout", &ca_key, "-out", &ca])
        .collect::<Vec<_>>(),
        dir,
    );
    openssl(
        &[
            &["req"][..],
            &ec,
            &["-subj", "/CN=localhost", "-keyout", &key, "-out", &csr],
        ]
        .concat(),
        dir,
    );
    std::fs::write(
        dir.join(&ext),
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &crt,
        ],
        dir,
    );
    let paths = [dir.join(ca), dir.join(crt), dir.join(key)];
    for f in &paths {
        std::os::unix::fs::chown(f, Some(uid), None).unwrap();
    }
    std::fs::set_permissions(&paths[2], std::fs::Permissions::from_mode(0o600)).unwrap();
    paths
}

/// Sets server settings with ALTER SYSTEM (`None`: back to the default) and restarts it.
fn configure(settings: &[(&str, Option<String>)]) {
    let mut admin = common::admin();
    for (name, value) in settings {
        let sql = match value {
            Some(v) => format!("ALTER SYSTEM SET {name} = '{}'", v.replace('\'', "''")),
            None => format!("ALTER SYSTEM RESET {name}"),
        };
        admin.batch_execute(&sql).unwrap();
    }
    drop(admin);
    common::restart_server();
}

/// Sets the server back (Unix socket only, no TLS) however the test ends.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        configure(&[
            ("listen_addresses", None),
            ("ssl", None),
            ("ssl_cert_file", None),
            ("ssl_key_file", None),
        ]);
    }
}

fn no_secret(e: &OpenError) {
    assert!(!format!("{e} {e:?}").contains(SECRET), "{e:?}");
}

#[test]
fn a_store_over_tls_verifies_the_server_and_never_falls_back_to_plain_text() {
    let cluster = PathBuf::from(std::env::var("CREDITBOOK_PG_DIR").expect(
        "CREDITBOOK_PG_DIR is not set: run `make pg-test`, or `eval \"$(tests/pg/cluster.sh start)\"`",
    ));
    let uid = std::fs::metadata(cluster.join("data")).unwrap().uid();
    let port = std::fs::read_to_string(cluster.join("port")).unwrap();
    let dir = cluster.join(format!("tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::chown(&dir, Some(uid), None).unwrap();
    let [ca, crt, key] = certificates(&dir, "server", uid);
    let [other, ..] = certificates(&dir, "other", uid);
    let _restore = Restore;
    configure(&[
        ("listen_addresses", Some("127.0.0.1".into())),
        ("ssl", Some("on".into())),
        ("ssl_cert_file", Some(crt.display().to_string())),
        ("ssl_key_file", Some(key.display().to_string())),
    ]);
    let schema = common::unique_schema("tls");
    let options = common::options_in(&schema);
    let tcp = format!(
        "host=127.0.0.1 port={} user=creditbook dbname=creditbook password={SECRET}",
        port.trim()
    );
    let trusted = TlsOptions::from_pem(&std::fs::read(&ca).unwrap()).unwrap();

    // Trusting the server's authority: a Book works over TLS.
    let store = PostgresStore::connect_tls(&tcp, options.clone(), &trusted).unwrap();
    assert!(!format!("{store:?}").contains(SECRET));
    let book = Book::with_store(
        creditbook::StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Toronto").unwrap(),
        store.clone(),
    );
    let at = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap();
    book.open_account(
        "C-1",
        &Operation::new("open", at).by(creditbook::Actor::new("m").with(Permission::CreditLimit)),
        OpenAccount {
            customer: Customer::new("c1", "Client 1"),
            credit_limit: Some(CreditLimit::Amount(rust_decimal::Decimal::new(50_000, 2))),
            terms: None,
        },
    )
    .unwrap();
    let money = creditbook::Money::new(
        rust_decimal::Decimal::new(1_234, 2),
        book.settings().currency,
    );
    book.charge("C-1", &Operation::new("c", at), Charge::new(money))
        .unwrap();
    let fresh = PostgresStore::connect_tls(&tcp, options.clone(), &trusted).unwrap();
    assert_eq!(creditbook::Store::load(&fresh, "C-1", 0).unwrap().len(), 2);
    // The server sees the store's connections encrypted, and none of them in plain text.
    let mut admin = common::admin();
    let row = admin
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) \
             FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = 'creditbook' AND a.client_addr IS NOT NULL",
            &[],
        )
        .unwrap();
    let (encrypted, plain): (i64, i64) = (row.get(0), row.get(1));
    assert!(encrypted >= 2, "{encrypted} TLS connections");
    assert_eq!(plain, 0);

    // Trusting another authority: refused at the handshake, nothing of the password.
    let wrong = TlsOptions::from_pem(&std::fs::read(&other).unwrap()).unwrap();
    let e = PostgresStore::connect_tls(&tcp, options.clone(), &wrong).unwrap_err();
    assert!(
        matches!(&e, OpenError::Postgres { sqlstate, .. } if sqlstate == "08006"),
        "{e:?}"
    );
    assert!(e.to_string().contains("certificate"), "{e}");
    no_secret(&e);

    // On the Unix socket (no TLS there), `prefer` is taken as `require`: refused, not plain text.
    let socket = format!("{} password={SECRET}", common::dsn());
    let e = PostgresStore::connect_tls(&socket, options.clone(), &trusted).unwrap_err();
    assert!(
        matches!(&e, OpenError::Postgres { sqlstate, .. } if sqlstate == "08006"),
        "{e:?}"
    );
    no_secret(&e);
    // `sslmode=disable` says plain text in so many words.
    let plain_store =
        PostgresStore::connect_tls(&format!("{socket} sslmode=disable"), options, &trusted);
    assert!(plain_store.is_ok(), "{:?}", plain_store.err());

    // Certificates that do not read, or none: typed errors.
    for bad in [
        &b""[..],
        b"not a certificate",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n",
    ] {
        let e = TlsOptions::from_pem(bad).unwrap_err();
        assert_eq!(e.code(), creditbook_postgres::CODE_INVALID_OPTIONS, "{e:?}");
    }
}
