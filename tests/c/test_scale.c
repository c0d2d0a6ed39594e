/* Many entries on one account through the C API (core/tests/scale.rs in C): every operation still
 * answers, the balance is exact to the cent, the first operation id replays a million entries
 * later, and a week's statement and a lifetime's activity come out whole. A million entries by
 * default; CREDITBOOK_TEST_ENTRIES sets fewer (the Makefile's valgrind run, 50 times slower, takes
 * 20,000 through the same path). */
#include <stdlib.h>

#include "check.h"

void test_scale(void) {
    const char *env = getenv("CREDITBOOK_TEST_ENTRIES");
    long entries = env != NULL ? atol(env) : 1000000;
    CHECK(entries >= 8 * 24 * 60); /* the week below is covered */
    creditbook_book *book = new_book(NULL);
    const int64_t start = utc(2024, 1, 1, 15, 0);
    creditbook_customer c = customer("cust-big", "Entreprises Big");
    creditbook_operation op = op_at("o-0", start);
    CHECK_OK(creditbook_book_open_account(book, "BIG", granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));

    /* One a minute: charges of 1.00 to 9.99 (by number), every tenth a payment of 5.00. */
    int64_t charged = 0, paid = 0;
    long refused = 0;
    char id[32];
    for (long n = 1; n < entries; n++) {
        snprintf(id, sizeof id, "o-%ld", n);
        op = op_at(id, start + (int64_t)n * 60);
        creditbook_result rc;
        if (n % 10 == 0) {
            rc = creditbook_book_pay(book, "BIG", &op, 500, NULL, 0, NULL, NULL);
            paid += 500;
        } else {
            int64_t amount = 100 + n % 900;
            rc = creditbook_book_charge(book, "BIG", &op, amount, NULL, NULL, NULL, NULL);
            charged += amount;
        }
        if (rc != CREDITBOOK_RESULT_OK) refused++;
    }
    CHECK(refused == 0);
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    CHECK_OK(creditbook_book_summary(book, "BIG", day(2026, 12, 31), &s));
    CHECK(s.balance_owed == charged - paid);
    CHECK(s.credit_balance == 0);

    /* The first operation id, retried after everything else: a replay. */
    creditbook_outcome out;
    memset(&out, 0, sizeof out);
    op = op_at("o-1", start + 60);
    CHECK_OK(creditbook_book_charge(book, "BIG", &op, 101, NULL, NULL, NULL, &out));
    CHECK(out.replayed && out.first_entry == 2);

    /* A week of January 2024 in Montreal (no clock change): one line a minute. */
    creditbook_statement_request r;
    memset(&r, 0, sizeof r);
    r.from = day(2024, 1, 2);
    r.to = day(2024, 1, 8);
    creditbook_statement *st = NULL;
    CHECK_OK(creditbook_book_statement(book, "BIG", &r, &st));
    creditbook_statement_figures f;
    memset(&f, 0, sizeof f);
    CHECK_OK(creditbook_statement_get_figures(st, &f));
    CHECK(f.line_count == 7 * 24 * 60);
    CHECK(f.closing_balance == f.opening_balance + f.total_charges - f.total_credits);
    creditbook_statement_free(st);

    /* The payments of the account's whole life. */
    uint32_t payment = CREDITBOOK_ENTRY_TYPE_PAYMENT;
    creditbook_activity *a = NULL;
    CHECK_OK(creditbook_book_activity(book, "BIG", day(2024, 1, 1), day(2026, 12, 31), &payment, 1,
                                      &a));
    CHECK(a != NULL && (long)a->len == (entries - 1) / 10);
    creditbook_activity_free(a);
    creditbook_book_free(book);
}
