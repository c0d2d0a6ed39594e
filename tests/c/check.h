/* The C test suite's helpers: checks that count and report, and short ways to make arguments. */
#ifndef CREDITBOOK_TEST_CHECK_H
#define CREDITBOOK_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "creditbook.h"

extern int check_passed;
extern int check_failed;

/* Records one check; prints where it failed. */
void check_report(int ok, const char *file, int line, const char *what);

#define CHECK(cond) check_report((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/* A call returns `want` (a creditbook_result). */
#define CHECK_RC(expr, want)                                                                    \
    do {                                                                                        \
        creditbook_result rc_ = (expr);                                                         \
        if (rc_ != (creditbook_result)(want))                                                   \
            fprintf(stderr, "  got %s (%u), expected %s\n", creditbook_result_name(rc_),        \
                    (unsigned)rc_, creditbook_result_name((uint32_t)(want)));                   \
        check_report(rc_ == (creditbook_result)(want), __FILE__, __LINE__, #expr);              \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, CREDITBOOK_RESULT_OK)

/* Two strings are equal (either may be NULL). */
#define CHECK_STR(got, want)                                                                    \
    do {                                                                                        \
        const char *g_ = (got), *w_ = (want);                                                   \
        int same_ = (g_ == NULL || w_ == NULL) ? g_ == w_ : strcmp(g_, w_) == 0;                 \
        if (!same_) fprintf(stderr, "  got \"%s\", expected \"%s\"\n", g_ ? g_ : "(null)",      \
                            w_ ? w_ : "(null)");                                                \
        check_report(same_, __FILE__, __LINE__, #got " == " #want);                             \
    } while (0)

/* A date. */
creditbook_date day(int year, unsigned month, unsigned d);
/* Seconds since the epoch of a UTC date and time. */
int64_t utc(int year, unsigned month, unsigned d, unsigned hour, unsigned minute);
/* An operation envelope without an actor. */
creditbook_operation op_at(const char *op_id, int64_t at);
/* An operation envelope by an employee with permission bits. */
creditbook_operation op_by(const char *op_id, int64_t at, const char *actor, uint32_t permissions);
/* The envelope `op` (NULL: NULL) by an employee who may grant credit, as opening an account with
 * a limit other than 0 needs; an envelope that names its own employee is left as it is. Points into
 * a small ring of copies: use it for the call it is written in. */
const creditbook_operation *granting(const creditbook_operation *op);
/* A customer with an id and a name, everything else empty. */
creditbook_customer customer(const char *id, const char *name);
/* The message a *_last_error function writes to `check_message` contains `text` (the message is
 * freed). */
extern char *check_message;
int message_contains(creditbook_result rc, const char *text);
#define LAST_ERROR_CONTAINS(last_error, handle, text)                                           \
    message_contains((last_error)((handle), &check_message), (text))
/* True when the book's last error (on this thread) contains `text`. */
#define book_error_contains(book, text) LAST_ERROR_CONTAINS(creditbook_book_last_error, book, text)
/* A query of every account on a date, by account id. */
creditbook_accounts_query every_account(creditbook_date as_of);
/* A new book for a CAD store in Montreal on the embedded store (or `store`, when not NULL). */
creditbook_book *new_book(const creditbook_store_callbacks *store);
/* Opens an account with a limit in cents (or unlimited when limit < 0); checks it worked. */
void open_account(creditbook_book *book, const char *account, int64_t limit);

/* The suites, each in its own file. */
void test_api(void);
void test_store(void);
void test_outreach(void);
void test_threads(void);
void test_sqlite(void);
void test_scenarios(const char *dir);

#endif
