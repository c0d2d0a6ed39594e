/* The C test programs' shared helpers (declared in check.h): the check counters and the short
 * ways to make arguments. Linked into the suite (main.c) and into tests/c/test_postgres.c. */
#include <stdlib.h>

#include "check.h"

int check_passed = 0;
int check_failed = 0;

void check_report(int ok, const char *file, int line, const char *what) {
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
    }
}

creditbook_date day(int year, unsigned month, unsigned d) {
    creditbook_date date;
    date.year = year;
    date.month = month;
    date.day = d;
    return date;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t utc(int year, unsigned month, unsigned d, unsigned hour, unsigned minute) {
    return days_from_civil(year, month, d) * 86400 + (int64_t)hour * 3600 + (int64_t)minute * 60;
}

creditbook_operation op_at(const char *op_id, int64_t at) {
    return op_by(op_id, at, NULL, 0);
}

const creditbook_operation *granting(const creditbook_operation *op) {
    static creditbook_operation ring[16];
    static unsigned next;
    if (op == NULL || op->actor_id != NULL) return op;
    creditbook_operation *copy = &ring[next++ % 16];
    *copy = *op;
    copy->actor_id = "manager";
    copy->permissions = CREDITBOOK_PERMISSION_CREDIT_LIMIT;
    return copy;
}

creditbook_operation op_by(const char *op_id, int64_t at, const char *actor, uint32_t permissions) {
    creditbook_operation op;
    op.op_id = op_id;
    op.at = at;
    op.actor_id = actor;
    op.permissions = permissions;
    return op;
}

creditbook_customer customer(const char *id, const char *name) {
    creditbook_customer c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.name = name;
    return c;
}

char *check_message = NULL;

int message_contains(creditbook_result rc, const char *text) {
    char *message = check_message;
    check_message = NULL;
    if (rc != CREDITBOOK_RESULT_OK) return 0;
    int found = strstr(message, text) != NULL;
    if (!found) fprintf(stderr, "  last error \"%s\" lacks \"%s\"\n", message, text);
    creditbook_string_free(message);
    return found;
}

creditbook_accounts_query every_account(creditbook_date as_of) {
    creditbook_accounts_query q;
    memset(&q, 0, sizeof q);
    q.as_of = as_of;
    q.standing = -1;
    q.status = -1;
    q.sort = CREDITBOOK_SORT_KEY_ACCOUNT_ID;
    return q;
}

creditbook_book *new_book(const creditbook_store_callbacks *store) {
    creditbook_settings *settings = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &settings));
    CHECK_OK(creditbook_book_new(settings, store, &book));
    creditbook_settings_free(settings);
    return book;
}

void open_account(creditbook_book *book, const char *account, int64_t limit) {
    creditbook_customer c = customer("cust", "Marie Tremblay");
    char op_id[160];
    snprintf(op_id, sizeof op_id, "open-%s", account);
    creditbook_operation op = op_at(op_id, utc(2026, 1, 5, 15, 0));
    uint32_t kind = limit < 0 ? CREDITBOOK_LIMIT_KIND_UNLIMITED : CREDITBOOK_LIMIT_KIND_AMOUNT;
    CHECK_OK(creditbook_book_open_account(book, account, granting(&op), &c, kind, limit < 0 ? 0 : limit,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
}
