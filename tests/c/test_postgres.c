/* The PostgreSQL store through the C API, against the server named by $CREDITBOOK_PG_DSN (the
 * throwaway cluster `make pg-faces` starts; without it the program fails, it never skips): a
 * charge recorded by one register is seen by a second register on its own connection pool, a
 * replayed operation id answers replayed, the limit is checked against the other register's
 * entries; a malformed DSN, an unreachable server and a database that does not exist are refused
 * with their typed code and never the password. Usage: test_postgres (no arguments). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

/* The password put in the refused DSNs: no message may show it. */
#define SECRET "pw-s3cret-till"

static const char *dsn;
/* Account ids of this run (the tables may hold earlier runs' accounts). */
static char account[64];

static creditbook_postgres_store *connect_store(void) {
    creditbook_postgres_store *store = NULL;
    char *error = NULL;
    CHECK_OK(creditbook_postgres_store_connect(dsn, &store, &error));
    if (error != NULL) fprintf(stderr, "  connect: %s\n", error);
    CHECK(error == NULL); /* written only on failure */
    CHECK(store != NULL);
    return store;
}

static creditbook_book *book_on(creditbook_postgres_store *store) {
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings));
    CHECK_OK(creditbook_book_new_postgres(settings, store, NULL, NULL, &book));
    creditbook_settings_free(settings);
    return book;
}

static int64_t owed(creditbook_book *book) {
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    CHECK_OK(creditbook_book_summary(book, account, day(2026, 11, 30), &s));
    return s.balance_owed;
}

/* The number of charges recorded on the account. */
static size_t charges(creditbook_book *book) {
    const uint32_t types[] = {CREDITBOOK_ENTRY_TYPE_CHARGE};
    creditbook_activity *a = NULL;
    CHECK_OK(creditbook_book_activity(book, account, day(2026, 1, 1), day(2026, 12, 31), types, 1, &a));
    size_t n = a != NULL ? a->len : 0;
    creditbook_activity_free(a);
    return n;
}

static creditbook_result charge(creditbook_book *book, const char *op_id, int64_t amount,
                                creditbook_outcome *out) {
    char id[128];
    snprintf(id, sizeof id, "%s-%s", account, op_id); /* operation ids of this run */
    creditbook_operation op = op_at(id, utc(2026, 11, 2, 15, 0));
    return creditbook_book_charge(book, account, &op, amount, "S-1", NULL, NULL, out);
}

/* Whether the account is among the book's accounts. */
static int listed(creditbook_book *book) {
    creditbook_accounts_query q = every_account(day(2026, 11, 30));
    creditbook_account_list *list = NULL;
    int found = 0;
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    for (size_t i = 0; list != NULL && i < list->len; i++)
        if (strcmp(list->items[i].account_id, account) == 0) found = 1;
    creditbook_account_list_free(list);
    return found;
}

static void test_two_registers(void) {
    /* register 1: the book keeps the pool after the store handle is freed */
    creditbook_postgres_store *store1 = connect_store();
    creditbook_book *till1 = book_on(store1);
    creditbook_postgres_store_free(store1);
    open_account(till1, account, 20000);
    creditbook_outcome out;
    memset(&out, 0, sizeof out);
    CHECK_OK(charge(till1, "c1", 12000, &out));
    CHECK(!out.replayed && out.first_entry == 2 && out.owed_change == 12000);

    /* register 2: its own store and pool on the same database sees register 1's charge */
    creditbook_postgres_store *store2 = connect_store();
    creditbook_book *till2 = book_on(store2);
    CHECK(owed(till2) == 12000);
    CHECK(charges(till2) == 1);
    CHECK(listed(till2));
    /* the same sale sent again (the answer was lost on the way to register 2) */
    memset(&out, 0, sizeof out);
    CHECK_OK(charge(till2, "c1", 12000, &out));
    CHECK(out.replayed);
    CHECK(out.first_entry == 2 && out.owed_change == 12000);
    CHECK(charges(till2) == 1 && owed(till2) == 12000);
    /* the same id for a different sale is refused, not recorded */
    CHECK_RC(charge(till2, "c1", 500, NULL), CREDITBOOK_RESULT_OPERATION_ID_CONFLICT);
    /* the limit counts register 1's charge */
    CHECK_RC(charge(till2, "c2", 9000, NULL), CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    CHECK(book_error_contains(till2, "80.00 available"));
    CHECK_OK(charge(till2, "c3", 3000, NULL));
    /* register 1 decides on its cached account: the database answers conflict, it catches up
     * and checks the limit against register 2's charge */
    CHECK_RC(charge(till1, "c4", 6000, NULL), CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    CHECK(book_error_contains(till1, "50.00 available"));
    CHECK_OK(charge(till1, "c5", 5000, NULL));
    CHECK(owed(till1) == 20000 && owed(till2) == 20000);
    CHECK(charges(till1) == 3 && charges(till2) == 3);
    creditbook_book_free(till1);
    creditbook_book_free(till2);

    /* a third register made from the second store handle after the others went away */
    creditbook_book *till3 = book_on(store2);
    creditbook_postgres_store_free(store2);
    CHECK(owed(till3) == 20000 && charges(till3) == 3);
    creditbook_book_free(till3);
}

/* `dsn` is refused with STORE_FAILED, a message holding `want` and not the password. */
static void refused(const char *bad, const char *want) {
    creditbook_postgres_store *store = NULL;
    char *error = NULL;
    CHECK_RC(creditbook_postgres_store_connect(bad, &store, &error), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store == NULL);
    CHECK(error != NULL);
    if (error == NULL) return;
    if (strstr(error, want) == NULL) fprintf(stderr, "  \"%s\" lacks \"%s\"\n", error, want);
    CHECK(strstr(error, want) != NULL);
    CHECK(strstr(error, SECRET) == NULL);
    creditbook_string_free(error);
    /* error_out may be NULL: the code alone */
    CHECK_RC(creditbook_postgres_store_connect(bad, &store, NULL), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store == NULL);
}

static void test_refused(void) {
    /* malformed DSNs: the option is named, never its value */
    refused("host=/tmp port=notaport user=till password=" SECRET,
            "store failed (code -6): invalid PostgreSQL store options: the DSN");
    refused("postgresql://till:" SECRET "@localhost:notaport/shop",
            "store failed (code -6): invalid PostgreSQL store options");
    /* nothing listens there: the connection fails (08006) */
    refused("host=127.0.0.1 port=1 user=till dbname=shop connect_timeout=5 password=" SECRET,
            "store failed (code 100663808): PostgreSQL 08006: error connecting to server");
    /* the server answers, and refuses: its own SQLSTATE (3D000 invalid_catalog_name) */
    char missing_db[512];
    snprintf(missing_db, sizeof missing_db, "%s dbname=creditbook_no_such_db password=%s", dsn,
             SECRET);
    refused(missing_db, "PostgreSQL 3D000: FATAL: database \"creditbook_no_such_db\" does not exist");

    /* arguments refused before any connection */
    creditbook_postgres_store *store = NULL;
    char *error = NULL;
    CHECK_RC(creditbook_postgres_store_connect(NULL, &store, &error), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(error != NULL && strstr(error, "dsn is NULL") != NULL);
    creditbook_string_free(error);
    error = NULL;
    CHECK_RC(creditbook_postgres_store_connect(dsn, NULL, &error), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(error != NULL && strstr(error, "store_out is NULL") != NULL);
    creditbook_string_free(error);
    CHECK_RC(creditbook_postgres_store_connect("host=\xff\xfe", &store, NULL),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK(store == NULL);

    /* a book needs a store */
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings));
    CHECK_RC(creditbook_book_new_postgres(settings, NULL, NULL, NULL, &book),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(book == NULL);
    CHECK(LAST_ERROR_CONTAINS(creditbook_settings_last_error, settings, "store is NULL"));
    creditbook_settings_free(settings);
}

int main(void) {
    dsn = getenv("CREDITBOOK_PG_DSN");
    if (dsn == NULL || dsn[0] == '\0') {
        fprintf(stderr, "test_postgres: CREDITBOOK_PG_DSN is not set (make pg-faces starts a "
                        "server and sets it)\n");
        return EXIT_FAILURE;
    }
    snprintf(account, sizeof account, "PG-C-%ld", (long)getpid());
    test_two_registers();
    test_refused();
    printf("test_postgres: %d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 && check_passed > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
