/* The SQLite store through the C API, on real files in a temporary directory: entries survive
 * the handles being freed and the file reopened, each once; a replayed operation id answers
 * replayed; two stores on one file see each other's operations; files that are not creditbook
 * databases are refused with their reason and left untouched. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static char dir[64];

/* `dir`/`name` in `buf`. */
static const char *in_dir(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

/* Removes a database file and what SQLite may have left beside it. */
static void remove_db(const char *path) {
    char side[160];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static creditbook_book *book_on(creditbook_sqlite_store *store) {
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings));
    CHECK_OK(creditbook_book_new_sqlite(settings, store, NULL, NULL, &book));
    creditbook_settings_free(settings);
    return book;
}

static creditbook_sqlite_store *open_store(const char *path) {
    creditbook_sqlite_store *store = NULL;
    char *error = NULL;
    CHECK_OK(creditbook_sqlite_store_open(path, &store, &error));
    if (error != NULL) fprintf(stderr, "  open %s: %s\n", path, error);
    CHECK(error == NULL); /* written only on failure */
    return store;
}

static int64_t owed(creditbook_book *book, const char *account) {
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    CHECK_OK(creditbook_book_summary(book, account, day(2026, 11, 30), &s));
    return s.balance_owed;
}

/* The number of charges recorded on the account. */
static size_t charges(creditbook_book *book, const char *account) {
    const uint32_t types[] = {CREDITBOOK_ENTRY_TYPE_CHARGE};
    creditbook_activity *a = NULL;
    CHECK_OK(creditbook_book_activity(book, account, day(2026, 1, 1), day(2026, 12, 31), types, 1, &a));
    size_t n = a != NULL ? a->len : 0;
    creditbook_activity_free(a);
    return n;
}

static creditbook_result charge(creditbook_book *book, const char *op_id, int64_t amount,
                                creditbook_outcome *out) {
    creditbook_operation op = op_at(op_id, utc(2026, 11, 2, 15, 0));
    return creditbook_book_charge(book, "A-1", &op, amount, "S-1", NULL, NULL, out);
}

static void test_reopen(void) {
    char path[160];
    in_dir(path, sizeof path, "till.sqlite3");
    creditbook_sqlite_store *store = open_store(path);
    CHECK(exists(path));
    creditbook_book *book = book_on(store);
    open_account(book, "A-1", 50000);
    creditbook_outcome out;
    CHECK_OK(charge(book, "c1", 12000, &out));
    CHECK(!out.replayed && out.first_entry == 2);
    creditbook_book_free(book);
    creditbook_sqlite_store_free(store);
    /* every handle gone: the last connection closed and checkpointed the WAL away */
    char wal[180];
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK(!exists(wal));

    /* the till restarted: a new store and book on the same file */
    store = open_store(path);
    book = book_on(store);
    creditbook_sqlite_store_free(store); /* the book keeps the file open */
    CHECK(owed(book, "A-1") == 12000);
    CHECK(charges(book, "A-1") == 1);
    memset(&out, 0, sizeof out);
    CHECK_OK(charge(book, "c1", 12000, &out)); /* the same sale sent again after the restart */
    CHECK(out.replayed);
    CHECK(out.first_entry == 2 && out.owed_change == 12000);
    CHECK(charges(book, "A-1") == 1);
    CHECK(owed(book, "A-1") == 12000);
    /* the same id for a different sale is refused, not recorded */
    CHECK_RC(charge(book, "c1", 500, NULL), CREDITBOOK_RESULT_OPERATION_ID_CONFLICT);
    CHECK_OK(charge(book, "c2", 1000, NULL));
    CHECK(charges(book, "A-1") == 2 && owed(book, "A-1") == 13000);
    /* over the limit: refused, nothing written */
    CHECK_RC(charge(book, "c3", 40000, NULL), CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    creditbook_book_free(book);

    store = open_store(path);
    book = book_on(store);
    CHECK(charges(book, "A-1") == 2 && owed(book, "A-1") == 13000);
    creditbook_book_free(book);
    creditbook_sqlite_store_free(store);
    remove_db(path);
}

static void test_two_stores_one_file(void) {
    char path[160];
    in_dir(path, sizeof path, "shared.sqlite3");
    /* two registers: one at FULL, one at NORMAL with a short busy timeout */
    creditbook_sqlite_store *a = open_store(path);
    creditbook_sqlite_store *b = NULL;
    CHECK_OK(creditbook_sqlite_store_open_with(path, CREDITBOOK_SQLITE_SYNCHRONOUS_NORMAL, 200, &b, NULL));
    creditbook_book *till1 = book_on(a);
    creditbook_book *till2 = book_on(b);
    open_account(till1, "A-1", 20000);
    CHECK(owed(till2, "A-1") == 0); /* till 2 reads the account till 1 opened */
    CHECK_OK(charge(till1, "t1-1", 15000, NULL));
    /* till 2 has the account cached at its opening: its charge is checked against till 1's */
    CHECK_RC(charge(till2, "t2-1", 6000, NULL), CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    CHECK(book_error_contains(till2, "50.00 available"));
    CHECK_OK(charge(till2, "t2-2", 5000, NULL));
    CHECK(owed(till1, "A-1") == 20000 && owed(till2, "A-1") == 20000);
    CHECK(charges(till1, "A-1") == 2);
    creditbook_book_free(till1);
    creditbook_book_free(till2);
    creditbook_sqlite_store_free(a);
    creditbook_sqlite_store_free(b);
    remove_db(path);
}

/* The file's bytes, to check a refused file is left as it was. */
static size_t read_file(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void test_refused_files(void) {
    char path[160], side[180];
    in_dir(path, sizeof path, "notes.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f == NULL) return;
    for (int i = 0; i < 100; i++) fputs("Not a database: the till's notes, line after line.\n", f);
    fclose(f);
    static char before[8192], after[8192];
    size_t n_before = read_file(path, before, sizeof before);

    creditbook_sqlite_store *store = NULL;
    char *error = NULL;
    CHECK_RC(creditbook_sqlite_store_open(path, &store, &error), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store == NULL);
    CHECK(error != NULL);
    if (error != NULL) {
        CHECK(strstr(error, "is not a creditbook database") != NULL);
        CHECK(strstr(error, "store failed (code 26)") != NULL);
        CHECK(strstr(error, "notes.txt") != NULL);
    }
    creditbook_string_free(error);
    CHECK(read_file(path, after, sizeof after) == n_before && memcmp(before, after, n_before) == 0);
    snprintf(side, sizeof side, "%s-wal", path);
    CHECK(!exists(side));
    /* error_out may be NULL: the code alone */
    CHECK_RC(creditbook_sqlite_store_open(path, &store, NULL), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(store == NULL);
    remove(path);

    /* a directory that does not exist: SQLite's own code and message */
    in_dir(path, sizeof path, "missing/till.sqlite3");
    error = NULL;
    CHECK_RC(creditbook_sqlite_store_open(path, &store, &error), CREDITBOOK_RESULT_STORE_FAILED);
    CHECK(error != NULL && strstr(error, "store failed (code 14)") != NULL);
    creditbook_string_free(error);

    /* arguments refused before any file is touched */
    in_dir(path, sizeof path, "never.sqlite3");
    error = NULL;
    CHECK_RC(creditbook_sqlite_store_open_with(path, 7, 100, &store, &error), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK(error != NULL && strstr(error, "7 is not a valid creditbook_sqlite_synchronous") != NULL);
    creditbook_string_free(error);
    error = NULL;
    CHECK_RC(creditbook_sqlite_store_open(path, NULL, &error), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(error != NULL && strstr(error, "store_out is NULL") != NULL);
    creditbook_string_free(error);
    CHECK(!exists(path));

    /* a book needs a store */
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings));
    CHECK_RC(creditbook_book_new_sqlite(settings, NULL, NULL, NULL, &book), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(book == NULL);
    CHECK(LAST_ERROR_CONTAINS(creditbook_settings_last_error, settings, "store is NULL"));
    creditbook_settings_free(settings);
}

void test_sqlite(void) {
    snprintf(dir, sizeof dir, "%s", "/tmp/creditbook-c-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        check_report(0, __FILE__, __LINE__, "mkdtemp made the temporary directory");
        return;
    }
    test_reopen();
    test_two_stores_one_file();
    test_refused_files();
    CHECK(rmdir(dir) == 0); /* every file the tests made was removed */
}
