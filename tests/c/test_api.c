/* Every function of the header on the embedded store: what it gives, and each way it refuses
 * (NULL for each pointer, invalid UTF-8, unknown enum values, bad dates and amounts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char BAD_UTF8[] = "\xff\xfe";
#define CAD "CAD"

static void test_version_and_names(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", CREDITBOOK_VERSION_MAJOR,
             CREDITBOOK_VERSION_MINOR, CREDITBOOK_VERSION_PATCH);
    CHECK_STR(creditbook_version(), expected);
#ifdef CREDITBOOK_EXPECTED_VERSION
    /* The workspace version in Cargo.toml, given by the Makefile. */
    CHECK_STR(expected, CREDITBOOK_EXPECTED_VERSION);
#else
    CHECK(!"CREDITBOOK_EXPECTED_VERSION is not defined by the build");
#endif
    CHECK_STR(creditbook_result_name(CREDITBOOK_RESULT_OK), "OK");
    CHECK_STR(creditbook_result_name(300), "CREDIT_LIMIT_EXCEEDED");
    CHECK_STR(creditbook_result_name(CREDITBOOK_RESULT_PANIC), "PANIC");
    CHECK_STR(creditbook_result_name(899), "UNKNOWN");
    CHECK_STR(creditbook_result_name(UINT32_MAX), "UNKNOWN");
    /* The numbers are the core's codes. */
    CHECK(CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED == 300);
    CHECK(CREDITBOOK_RESULT_PERMISSION_DENIED == 400);
    CHECK(CREDITBOOK_RESULT_STORE_FAILED == 601);
    CHECK(CREDITBOOK_RESULT_NULL_PARAMETER == 900);
}

static void test_amounts(void) {
    char *text = NULL;
    int64_t minor = 0;
    uint32_t exponent = 0;
    CHECK_OK(creditbook_amount_to_string(1250, CAD, &text));
    CHECK_STR(text, "12.50");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(-5, CAD, &text));
    CHECK_STR(text, "-0.05");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(1250, "JPY", &text));
    CHECK_STR(text, "1250");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(INT64_MIN, "KWD", &text));
    CHECK_STR(text, "-9223372036854775.808");
    creditbook_string_free(text);
    text = NULL;
    CHECK_RC(creditbook_amount_to_string(1, "XAU", &text), CREDITBOOK_RESULT_UNKNOWN_CURRENCY);
    CHECK_RC(creditbook_amount_to_string(1, NULL, &text), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_amount_to_string(1, BAD_UTF8, &text), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_amount_to_string(1, CAD, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(text == NULL); /* outputs are written only on success */

    CHECK_OK(creditbook_amount_parse("12.5", CAD, &minor));
    CHECK(minor == 1250);
    CHECK_OK(creditbook_amount_parse("-3", CAD, &minor));
    CHECK(minor == -300);
    minor = 7;
    CHECK_RC(creditbook_amount_parse("12.505", CAD, &minor), CREDITBOOK_RESULT_TOO_MANY_DECIMALS);
    CHECK_RC(creditbook_amount_parse("1,5", CAD, &minor), CREDITBOOK_RESULT_INVALID_AMOUNT_TEXT);
    CHECK_RC(creditbook_amount_parse("1e3", CAD, &minor), CREDITBOOK_RESULT_INVALID_AMOUNT_TEXT);
    CHECK_RC(creditbook_amount_parse("92233720368547758.08", CAD, &minor),
             CREDITBOOK_RESULT_OVERFLOW);
    CHECK_RC(creditbook_amount_parse("1", "cad", &minor), CREDITBOOK_RESULT_UNKNOWN_CURRENCY);
    CHECK_RC(creditbook_amount_parse(NULL, CAD, &minor), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_amount_parse("1", NULL, &minor), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_amount_parse("1", CAD, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_amount_parse(BAD_UTF8, CAD, &minor), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK(minor == 7);

    CHECK_OK(creditbook_currency_exponent("KWD", &exponent));
    CHECK(exponent == 3);
    CHECK_RC(creditbook_currency_exponent("ZZZ", &exponent), CREDITBOOK_RESULT_UNKNOWN_CURRENCY);
    CHECK_RC(creditbook_currency_exponent(NULL, &exponent), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_currency_exponent(CAD, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_string_free(NULL);
}

#define settings_error_contains(s, text) LAST_ERROR_CONTAINS(creditbook_settings_last_error, s, text)

static void test_settings(void) {
    creditbook_settings *s = NULL;
    const char *tz = "America/Montreal";
    CHECK_RC(creditbook_settings_new(NULL, CAD, tz, &s), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_new("x", NULL, tz, &s), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_new("x", CAD, NULL, &s), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_new("x", CAD, tz, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_new(BAD_UTF8, CAD, tz, &s), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_new("x", "XXX", tz, &s), CREDITBOOK_RESULT_UNKNOWN_CURRENCY);
    CHECK_RC(creditbook_settings_new("x", CAD, "Mars/Olympus", &s),
             CREDITBOOK_RESULT_UNKNOWN_TIME_ZONE);
    CHECK_RC(creditbook_settings_new(" ", CAD, tz, &s), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(s == NULL);
    CHECK_OK(creditbook_settings_new("Quincaillerie", CAD, tz, &s));
    char *message = NULL;
    CHECK_OK(creditbook_settings_last_error(s, &message));
    CHECK_STR(message, "");
    creditbook_string_free(message);
    CHECK_RC(creditbook_settings_last_error(NULL, &message), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_last_error(s, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);

    const char *lines[] = {"12 rue Principale"};
    creditbook_postal_address address;
    memset(&address, 0, sizeof address);
    address.lines = lines;
    address.line_count = 1;
    address.city = "Montréal";
    address.country = "CA";
    CHECK_OK(creditbook_settings_set_address(s, &address));
    CHECK_RC(creditbook_settings_set_address(NULL, &address), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_set_address(s, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    address.lines = NULL;
    CHECK_RC(creditbook_settings_set_address(s, &address), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(settings_error_contains(s, "address.lines is NULL"));
    address.lines = lines;
    address.city = BAD_UTF8;
    CHECK_RC(creditbook_settings_set_address(s, &address), CREDITBOOK_RESULT_INVALID_UTF8);

    CHECK_OK(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_NET, 15));
    CHECK_OK(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_END_OF_MONTH_PLUS, 10));
    CHECK_OK(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_DUE_ON_RECEIPT, 0));
    CHECK_RC(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_STORE, 0),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_default_terms(s, 4, 0), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK(settings_error_contains(s, "4 is not a valid creditbook_terms_kind"));
    CHECK_RC(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_NET, 70000),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_default_terms(NULL, 1, 0), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_settings_set_default_terms(s, CREDITBOOK_TERMS_KIND_NET, 30));

    CHECK_OK(creditbook_settings_set_over_limit_tolerance(s, "2.5"));
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(s, "101"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(s, "-1"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(s, "lots"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(s, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(s, BAD_UTF8), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_over_limit_tolerance(NULL, "1"), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_settings_set_over_limit_tolerance(s, "0"));

    CHECK_OK(creditbook_settings_set_overdue_hold_days(s, 60));
    CHECK_OK(creditbook_settings_set_overdue_hold_days(s, -1));
    CHECK_RC(creditbook_settings_set_overdue_hold_days(s, INT64_MAX), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_overdue_hold_days(NULL, 1), CREDITBOOK_RESULT_NULL_PARAMETER);

    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_REFUNDS_TO_CREDIT, true));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_RECEIPT_LESS_REFUNDS, true));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_AUTO_APPLY_CREDIT, false));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_STATEMENT_SHOWS_CREDIT_LIMIT, true));
    CHECK_RC(creditbook_settings_set_flag(s, 8, true), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_settings_set_flag(s, UINT32_MAX, true), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_settings_set_flag(NULL, 0, true), CREDITBOOK_RESULT_NULL_PARAMETER);

    const uint32_t buckets[] = {30, 60, 90, 120};
    const uint32_t bad_buckets[] = {60, 30};
    CHECK_OK(creditbook_settings_set_aging_buckets(s, buckets, 4));
    CHECK_RC(creditbook_settings_set_aging_buckets(s, bad_buckets, 2), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_aging_buckets(s, buckets, 0), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_aging_buckets(s, NULL, 3), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_set_aging_buckets(NULL, buckets, 3), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_settings_set_aging_buckets(s, buckets, 3));

    CHECK_OK(creditbook_settings_set_statement_days_till_due(s, 20));
    CHECK_RC(creditbook_settings_set_statement_days_till_due(NULL, 20), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_settings_set_statement_percent_due(s, "100"));
    CHECK_RC(creditbook_settings_set_statement_percent_due(s, "200"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_statement_percent_due(s, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_set_statement_percent_due(NULL, "1"), CREDITBOOK_RESULT_NULL_PARAMETER);

    CHECK_OK(creditbook_settings_set_statement_texts(s, "Lapointe inc.", "Merci!"));
    CHECK_OK(creditbook_settings_set_statement_texts(s, NULL, NULL));
    CHECK_RC(creditbook_settings_set_statement_texts(s, BAD_UTF8, NULL), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_statement_texts(s, NULL, BAD_UTF8), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_statement_texts(NULL, NULL, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);

    CHECK_OK(creditbook_settings_set_remittance_address(s, &(creditbook_postal_address){0}));
    CHECK_OK(creditbook_settings_set_remittance_address(s, NULL));
    CHECK_RC(creditbook_settings_set_remittance_address(NULL, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);

    const char *langs[] = {"fr", "en"};
    const char *bad_langs[] = {"fr", "tlh"};
    const char *null_langs[] = {"fr", NULL};
    CHECK_OK(creditbook_settings_set_languages(s, langs, 2, "fr"));
    CHECK_RC(creditbook_settings_set_languages(s, langs, 2, "de"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_languages(s, bad_langs, 2, "fr"), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_languages(s, null_langs, 2, "fr"), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_settings_set_languages(s, NULL, 2, "fr"), CREDITBOOK_RESULT_NULL_PARAMETER);
    /* Without an own language: English when the store prints in English, else the first. */
    const char *no_english[] = {"nl", "de", "nl"};
    CHECK_OK(creditbook_settings_set_languages(s, no_english, 3, NULL));
    CHECK_OK(creditbook_settings_set_languages(s, langs, 2, NULL));
    CHECK_RC(creditbook_settings_set_languages(s, langs, 0, NULL), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_languages(s, langs, 2, BAD_UTF8), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_languages(NULL, langs, 2, "fr"), CREDITBOOK_RESULT_NULL_PARAMETER);

    CHECK_OK(creditbook_settings_set_region(s, "ca", CREDITBOOK_CURRENCY_DISPLAY_ISO_CODE));
    CHECK_OK(creditbook_settings_set_region(s, NULL, CREDITBOOK_CURRENCY_DISPLAY_SYMBOL));
    CHECK_RC(creditbook_settings_set_region(s, "CAN", 0), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_settings_set_region(s, NULL, 2), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_settings_set_region(s, BAD_UTF8, 0), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_region(NULL, NULL, 0), CREDITBOOK_RESULT_NULL_PARAMETER);

    creditbook_book *book = NULL;
    CHECK_RC(creditbook_book_new(NULL, NULL, &book), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_new(s, NULL, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_store_callbacks incomplete;
    memset(&incomplete, 0, sizeof incomplete);
    CHECK_RC(creditbook_book_new(s, &incomplete, &book), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(settings_error_contains(s, "store->load is NULL"));
    CHECK(book == NULL);
    CHECK_OK(creditbook_book_new(s, NULL, &book));
    creditbook_settings_free(s); /* the book keeps its own copy */
    open_account(book, "A-1", 10000);
    creditbook_summary summary;
    CHECK_OK(creditbook_book_summary(book, "A-1", day(2026, 11, 2), &summary));
    CHECK(summary.available == 10000);
    creditbook_book_free(book);
    creditbook_settings_free(NULL);
    creditbook_book_free(NULL);
}

/* Each operation's own refusals; the envelope's are checked once, on charges. */
static void test_operations(void) {
    creditbook_book *book = new_book(NULL);
    int64_t at = utc(2026, 11, 2, 15, 0);
    creditbook_customer c = customer("c1", "Marie Tremblay");
    creditbook_operation op = op_at("o1", at);
    creditbook_outcome out;

    /* open_account */
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &c, 3, 0, 0, 0, &out),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK(book_error_contains(book, "3 is not a valid creditbook_limit_kind"));
    /* Granting credit needs the permission; the store's default (0) does not. */
    CHECK_RC(creditbook_book_open_account(book, "A-1", &op, &c, CREDITBOOK_LIMIT_KIND_AMOUNT, 50000,
                                          0, 0, &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    CHECK_RC(creditbook_book_open_account(book, "A-1", &op, &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0, 0,
                                          0, &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &c, 0, 50000, 9, 0, &out),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), NULL, 0, 50000, 0, 0, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(book_error_contains(book, "customer is NULL"));
    creditbook_customer bad = c;
    bad.name = NULL;
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &bad, 0, 50000, 0, 0, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    bad = c;
    bad.email = "not an address";
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &bad, 0, 50000, 0, 0, &out),
             CREDITBOOK_RESULT_INVALID_EMAIL);
    bad = c;
    bad.language = BAD_UTF8;
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &bad, 0, 50000, 0, 0, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_AMOUNT, -1,
                                          0, 0, &out),
             CREDITBOOK_RESULT_AMOUNT_NEGATIVE);
    c.email = "marie@example.com";
    c.language = "fr";
    CHECK_OK(creditbook_book_open_account(book, "A-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                          50000, CREDITBOOK_TERMS_KIND_NET, 30, &out));
    CHECK(out.first_entry == 1 && out.entry_count == 1 && !out.replayed && out.invoice == 0);
    CHECK_RC(creditbook_book_open_account(book, "A-1", granting(&(creditbook_operation){"o1b", at, NULL, 0}),
                                          &c, 0, 50000, 0, 0, NULL),
             CREDITBOOK_RESULT_ACCOUNT_EXISTS);

    /* the envelope, on charges */
    memset(&out, 0xAB, sizeof out);
    creditbook_outcome untouched = out;
    op = op_at("o2", at);
    CHECK_RC(creditbook_book_charge(NULL, "A-1", &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_charge(book, NULL, &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(book_error_contains(book, "account is NULL"));
    CHECK_RC(creditbook_book_charge(book, BAD_UTF8, &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_charge(book, "A-1", NULL, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){NULL, at, NULL, 0}, 100,
                                    NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){BAD_UTF8, at, NULL, 0},
                                    100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){"", at, NULL, 0}, 100,
                                    NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){"o2", INT64_MAX, NULL, 0},
                                    100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(book_error_contains(book, "instant"));
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){"o2", at, "emp", 1u << 6},
                                    100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){"o2", at, NULL, 1}, 100,
                                    NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_charge(book, "A-1", &(creditbook_operation){"o2", at, BAD_UTF8, 0},
                                    100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 100, BAD_UTF8, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 100, NULL, &(creditbook_date){2026, 2, 30},
                                    NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 100, NULL, NULL, BAD_UTF8, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 0, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, INT64_MIN, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE);
    /* above the largest amount creditbook takes (10^15 in major units): refused, not rounded */
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, INT64_MAX, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_OVERFLOW);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 50001, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    CHECK(book_error_contains(book, "500.00 available, 500.01 requested"));
    CHECK_RC(creditbook_book_charge(book, "nobody", &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_UNKNOWN_ACCOUNT);
    CHECK(memcmp(&out, &untouched, sizeof out) == 0); /* written only on success */
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 32000, "S-1", NULL, NULL, &out));
    CHECK(out.invoice == 2 && out.owed_change == 32000 && out.credit_change == 0);
    CHECK(out.due_date.year == 2026 && out.due_date.month == 12 && out.due_date.day == 2);
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 32000, "S-1", NULL, NULL, &out));
    CHECK(out.replayed && out.invoice == 2);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 1, "S-1", NULL, NULL, &out),
             CREDITBOOK_RESULT_OPERATION_ID_CONFLICT);
    op = op_at("o3", at);
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 1000, NULL, &(creditbook_date){2026, 11, 20},
                                    NULL, &out));
    CHECK(out.due_date.day == 20);
    op = op_by("o4", at, "mgr", CREDITBOOK_PERMISSION_OVERRIDE_CREDIT_LIMIT);
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 50000, "S-2", NULL, "known customer", &out));
    CHECK(out.invoice == 4);

    /* max_charge */
    int64_t max = -1;
    CHECK_OK(creditbook_book_max_charge(book, "A-1", 1000, at, &max));
    CHECK(max == 0);
    CHECK_RC(creditbook_book_max_charge(NULL, "A-1", 1000, at, &max), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_max_charge(book, NULL, 1000, at, &max), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_max_charge(book, "A-1", 1000, at, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_max_charge(book, "A-1", -1, at, &max), CREDITBOOK_RESULT_AMOUNT_NEGATIVE);
    CHECK_RC(creditbook_book_max_charge(book, "A-1", 1, INT64_MIN, &max), CREDITBOOK_RESULT_INVALID_INPUT);

    /* set_credit_limit, set_terms */
    op = op_at("o5", at);
    CHECK_RC(creditbook_book_set_credit_limit(book, "A-1", &op, 0, 200000, &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    CHECK(book_error_contains(book, "credit_limit is required"));
    op = op_by("o5", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_LIMIT);
    CHECK_RC(creditbook_book_set_credit_limit(book, "A-1", &op, 5, 0, &out), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_OK(creditbook_book_set_credit_limit(book, "A-1", &op, CREDITBOOK_LIMIT_KIND_AMOUNT, 200000, &out));
    CHECK_OK(creditbook_book_max_charge(book, "A-1", 1000, at, &max));
    CHECK(max == 1000);
    op = op_by("o6", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_LIMIT);
    CHECK_RC(creditbook_book_set_terms(book, "A-1", &op, 7, 0, &out), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_OK(creditbook_book_set_terms(book, "A-1", &op, CREDITBOOK_TERMS_KIND_END_OF_MONTH_PLUS, 10, &out));

    /* update_contact */
    op = op_at("o7", at);
    creditbook_customer moved = customer("c1", "Marie Tremblay-Roy");
    const char *lines[] = {"12 rue Principale", "app. 3"};
    moved.address.lines = lines;
    moved.address.line_count = 2;
    moved.address.city = "Québec";
    CHECK_RC(creditbook_book_update_contact(book, "A-1", &op, NULL, &out), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_book_update_contact(book, "A-1", &op, &moved, &out));

    /* set_status */
    op = op_at("o8", at);
    CHECK_RC(creditbook_book_set_status(book, "A-1", &op, 4, NULL, &out), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_RELEASE, NULL, &out),
             CREDITBOOK_RESULT_INVALID_STATE);
    CHECK_RC(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_HOLD, BAD_UTF8, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_OK(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_HOLD, "NSF", &out));
    op = op_at("o9", at);
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_ACCOUNT_ON_HOLD);
    CHECK_RC(creditbook_book_max_charge(book, "A-1", 100, at, &max), CREDITBOOK_RESULT_ACCOUNT_ON_HOLD);
    CHECK_OK(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_RELEASE, NULL, &out));

    /* pay */
    const uint64_t invoices[] = {3};
    op = op_at("o10", at);
    CHECK_RC(creditbook_book_pay(book, "A-1", &op, 100, NULL, 1, NULL, &out), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_pay(book, "A-1", &op, 100, invoices, 1, BAD_UTF8, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_pay(book, "A-1", &op, 100, (const uint64_t[]){99}, 1, NULL, &out),
             CREDITBOOK_RESULT_UNKNOWN_INVOICE);
    CHECK_OK(creditbook_book_pay(book, "A-1", &op, 1000, invoices, 1, "cash", &out));
    CHECK(out.allocated == 1000 && out.owed_change == -1000);
    op = op_at("o11", at);
    CHECK_OK(creditbook_book_pay(book, "A-1", &op, 100000, NULL, 0, NULL, &out));
    CHECK(out.owed_change == -82000 && out.credit_change == 18000);

    /* deposit, use_credit, apply_credit */
    op = op_at("o12", at);
    CHECK_RC(creditbook_book_deposit(book, "A-1", &op, -5, NULL, &out), CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE);
    CHECK_RC(creditbook_book_deposit(book, "A-1", &op, 5, BAD_UTF8, &out), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_OK(creditbook_book_deposit(book, "A-1", &op, 2000, "layaway", &out));
    CHECK(out.credit_change == 2000);
    op = op_at("o13", at);
    CHECK_RC(creditbook_book_use_credit(book, "A-1", &op, 1000000, NULL, &out),
             CREDITBOOK_RESULT_INSUFFICIENT_CREDIT);
    CHECK(book_error_contains(book, "200.00 available, 10000.00 requested"));
    CHECK_RC(creditbook_book_use_credit(book, "A-1", &op, 100, BAD_UTF8, &out), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_OK(creditbook_book_use_credit(book, "A-1", &op, 1000, "S-3", &out));
    CHECK(out.credit_change == -1000);
    op = op_at("o14", at);
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 5000, "S-4", NULL, NULL, &out));
    uint64_t s4 = out.invoice;
    op = op_at("o15", at);
    CHECK_RC(creditbook_book_apply_credit(book, "A-1", &op, 100, NULL, 2, &out), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_apply_credit(book, "A-1", &op, 6000, NULL, 0, &out),
             CREDITBOOK_RESULT_APPLY_EXCEEDS_BALANCE_OWED);
    CHECK_OK(creditbook_book_apply_credit(book, "A-1", &op, 1000, &s4, 1, &out));
    CHECK(out.allocated == 1000 && out.credit_change == -1000);

    /* refund_to_credit, refund_credit */
    op = op_at("o16", at);
    int64_t total = 3000;
    CHECK_RC(creditbook_book_refund_to_credit(book, "A-1", &op, 500, "S-4", NULL, &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    op = op_by("o16", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND);
    CHECK_RC(creditbook_book_refund_to_credit(book, "A-1", &op, 500, BAD_UTF8, NULL, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_refund_to_credit(book, "A-1", &op, 900000, "S-4", NULL, &out),
             CREDITBOOK_RESULT_REFUND_EXCEEDS_SALE);
    CHECK_OK(creditbook_book_refund_to_credit(book, "A-1", &op, 500, "S-4", NULL, &out));
    CHECK(out.owed_change == -500);
    op = op_by("o17", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND);
    CHECK_OK(creditbook_book_refund_to_credit(book, "A-1", &op, 1500, "S-9", &total, &out));
    CHECK(out.credit_change == 1500);
    op = op_by("o18", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND);
    CHECK_OK(creditbook_book_refund_to_credit(book, "A-1", &op, 100, NULL, NULL, &out));
    op = op_at("o19", at);
    /* Paying store credit out is money leaving the till: it needs the refund permission. */
    CHECK_RC(creditbook_book_refund_credit(book, "A-1", &op, 100, "cash", &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    op = op_by("o19", at, "mgr", CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND);
    CHECK_RC(creditbook_book_refund_credit(book, "A-1", &op, 100, BAD_UTF8, &out), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_refund_credit(book, "A-1", &op, 0, "cash", &out), CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE);
    CHECK_OK(creditbook_book_refund_credit(book, "A-1", &op, 100, "cash", &out));
    CHECK(out.credit_change == -100);

    /* adjust, write_off, reverse */
    uint32_t adj = CREDITBOOK_PERMISSION_ADJUST_BALANCE;
    op = op_by("o20", at, "mgr", adj);
    CHECK_RC(creditbook_book_adjust(book, "A-1", &op, 2, 100, "x", &out), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_adjust(book, "A-1", &op, CREDITBOOK_DIRECTION_DEBIT, 100, NULL, &out),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_adjust(book, "A-1", &op, CREDITBOOK_DIRECTION_DEBIT, 100, BAD_UTF8, &out),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_OK(creditbook_book_adjust(book, "A-1", &op, CREDITBOOK_DIRECTION_DEBIT, 1500, "late fee", &out));
    uint64_t fee = out.invoice;
    CHECK(fee != 0 && out.owed_change == 1500);
    op = op_by("o21", at, "mgr", adj);
    CHECK_OK(creditbook_book_adjust(book, "A-1", &op, CREDITBOOK_DIRECTION_CREDIT, 100, "goodwill", &out));
    op = op_by("o22", at, "mgr", adj);
    int64_t part = 400;
    CHECK_RC(creditbook_book_write_off(book, "A-1", &op, fee, &part, NULL, &out), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_write_off(book, "A-1", &op, 999, &part, "bad debt", &out),
             CREDITBOOK_RESULT_UNKNOWN_INVOICE);
    CHECK_OK(creditbook_book_write_off(book, "A-1", &op, fee, &part, "bad debt", &out));
    CHECK(out.owed_change == -400);
    op = op_by("o23", at, "mgr", adj);
    CHECK_OK(creditbook_book_write_off(book, "A-1", &op, fee, NULL, "bad debt", &out));
    CHECK(out.owed_change == -1100);
    op = op_by("o24", at, "mgr", adj);
    CHECK_RC(creditbook_book_reverse(book, "A-1", &op, 3, NULL, &out), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_reverse(book, "A-1", &op, 9999, "typo", &out), CREDITBOOK_RESULT_UNKNOWN_ENTRY);
    CHECK_OK(creditbook_book_reverse(book, "A-1", &op, 12, "typo", &out)); /* the deposit */
    CHECK(out.credit_change == -2000);
    uint64_t reversal = out.first_entry;

    /* The activity names what each entry is about, as the core reads it: the sale a refund
       names, the invoice an adjustment opens and a write-off writes off, the entry a reversal
       undid. */
    creditbook_activity *act = NULL;
    CHECK_OK(creditbook_book_activity(book, "A-1", day(2000, 1, 1), day(2100, 12, 31), NULL, 0, &act));
    int seen = 0;
    for (size_t i = 0; act != NULL && i < act->len; i++) {
        const creditbook_activity_line *l = &act->items[i];
        if (l->kind == CREDITBOOK_ENTRY_TYPE_REFUND_TO_CREDIT && l->sale != NULL &&
            strcmp(l->sale, "S-9") == 0) {
            CHECK(l->invoice == 0 && l->reverses == 0);
            seen |= 1;
        } else if (l->kind == CREDITBOOK_ENTRY_TYPE_ADJUSTMENT && l->entry == fee) {
            CHECK(l->invoice == fee && l->sale == NULL);
            seen |= 2;
        } else if (l->kind == CREDITBOOK_ENTRY_TYPE_WRITE_OFF) {
            CHECK(l->invoice == fee && l->entry != fee);
            seen |= 4;
        } else if (l->kind == CREDITBOOK_ENTRY_TYPE_REVERSAL) {
            CHECK(l->entry == reversal && l->reverses == 12 && l->invoice == 0);
            seen |= 8;
        } else if (l->kind == CREDITBOOK_ENTRY_TYPE_PAYMENT) {
            CHECK(l->sale == NULL && l->invoice == 0 && l->reverses == 0);
        }
    }
    CHECK(seen == 15);
    creditbook_activity_free(act);

    /* archive, reactivate */
    op = op_at("o25", at);
    CHECK_RC(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_ARCHIVE, NULL, &out),
             CREDITBOOK_RESULT_PERMISSION_DENIED);
    op = op_by("o25", at, "mgr", CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT);
    CHECK_OK(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_ARCHIVE, NULL, &out));
    op = op_at("o26", at);
    CHECK_RC(creditbook_book_deposit(book, "A-1", &op, 100, NULL, &out), CREDITBOOK_RESULT_ACCOUNT_ARCHIVED);
    op = op_by("o26", at, "mgr", CREDITBOOK_PERMISSION_ARCHIVE_ACCOUNT);
    CHECK_OK(creditbook_book_set_status(book, "A-1", &op, CREDITBOOK_STATUS_CHANGE_REACTIVATE, NULL, NULL));

    /* every operation refuses a NULL book, account and envelope */
    creditbook_operation o = op_at("z", at);
    const creditbook_result null = CREDITBOOK_RESULT_NULL_PARAMETER;
    CHECK_RC(creditbook_book_open_account(NULL, "A", granting(&o), &c, 0, 0, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_open_account(book, NULL, granting(&o), &c, 0, 0, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_open_account(book, "A", granting(NULL), &c, 0, 0, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_update_contact(NULL, "A-1", &o, &c, NULL), null);
    CHECK_RC(creditbook_book_update_contact(book, NULL, &o, &c, NULL), null);
    CHECK_RC(creditbook_book_update_contact(book, "A-1", NULL, &c, NULL), null);
    CHECK_RC(creditbook_book_set_credit_limit(NULL, "A-1", &o, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_credit_limit(book, NULL, &o, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_credit_limit(book, "A-1", NULL, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_terms(NULL, "A-1", &o, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_terms(book, NULL, &o, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_terms(book, "A-1", NULL, 0, 0, NULL), null);
    CHECK_RC(creditbook_book_set_status(NULL, "A-1", &o, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_set_status(book, NULL, &o, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_set_status(book, "A-1", NULL, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_pay(NULL, "A-1", &o, 1, NULL, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_pay(book, NULL, &o, 1, NULL, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_pay(book, "A-1", NULL, 1, NULL, 0, NULL, NULL), null);
    CHECK_RC(creditbook_book_deposit(NULL, "A-1", &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_deposit(book, NULL, &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_deposit(book, "A-1", NULL, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_use_credit(NULL, "A-1", &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_use_credit(book, NULL, &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_use_credit(book, "A-1", NULL, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_apply_credit(NULL, "A-1", &o, 1, NULL, 0, NULL), null);
    CHECK_RC(creditbook_book_apply_credit(book, NULL, &o, 1, NULL, 0, NULL), null);
    CHECK_RC(creditbook_book_apply_credit(book, "A-1", NULL, 1, NULL, 0, NULL), null);
    CHECK_RC(creditbook_book_refund_to_credit(NULL, "A-1", &o, 1, NULL, NULL, NULL), null);
    CHECK_RC(creditbook_book_refund_to_credit(book, NULL, &o, 1, NULL, NULL, NULL), null);
    CHECK_RC(creditbook_book_refund_to_credit(book, "A-1", NULL, 1, NULL, NULL, NULL), null);
    CHECK_RC(creditbook_book_refund_credit(NULL, "A-1", &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_refund_credit(book, NULL, &o, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_refund_credit(book, "A-1", NULL, 1, NULL, NULL), null);
    CHECK_RC(creditbook_book_reverse(NULL, "A-1", &o, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_reverse(book, NULL, &o, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_reverse(book, "A-1", NULL, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_adjust(NULL, "A-1", &o, 0, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_adjust(book, NULL, &o, 0, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_adjust(book, "A-1", NULL, 0, 1, "r", NULL), null);
    CHECK_RC(creditbook_book_write_off(NULL, "A-1", &o, 1, NULL, "r", NULL), null);
    CHECK_RC(creditbook_book_write_off(book, NULL, &o, 1, NULL, "r", NULL), null);
    CHECK_RC(creditbook_book_write_off(book, "A-1", NULL, 1, NULL, "r", NULL), null);

    CHECK_RC(creditbook_book_last_error(NULL, &(char *){NULL}), null);
    CHECK_RC(creditbook_book_last_error(book, NULL), null);
    creditbook_book_free(book);
}

static void test_reads(void) {
    creditbook_book *book = new_book(NULL);
    int64_t at = utc(2026, 9, 1, 16, 0);
    open_account(book, "A-1", 200000);
    open_account(book, "B-2", -1);
    creditbook_operation op = op_at("c1", at);
    creditbook_outcome out;
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 10000, "S-1", NULL, NULL, &out));
    op = op_at("c2", utc(2026, 10, 1, 16, 0));
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 20000, "S-2", NULL, NULL, &out));
    op = op_at("p1", utc(2026, 10, 2, 16, 0));
    CHECK_OK(creditbook_book_pay(book, "A-1", &op, 15000, NULL, 0, "cheque 12", &out));
    op = op_at("d1", utc(2026, 10, 2, 16, 0));
    CHECK_OK(creditbook_book_deposit(book, "B-2", &op, 5000, NULL, &out));

    /* summary */
    creditbook_summary s;
    CHECK_OK(creditbook_book_summary(book, "A-1", day(2026, 11, 15), &s));
    CHECK(s.balance_owed == 15000 && s.credit_balance == 0 && s.available == 185000);
    CHECK(s.overdue == 15000 && s.open_invoices == 1);
    CHECK(s.status == CREDITBOOK_ACCOUNT_STATUS_ACTIVE && s.standing == CREDITBOOK_STANDING_OVERDUE);
    CHECK(s.limit_kind == CREDITBOOK_LIMIT_KIND_AMOUNT && s.credit_limit == 200000);
    CHECK(s.as_of.year == 2026 && s.as_of.month == 11 && s.as_of.day == 15);
    CHECK_OK(creditbook_book_summary(book, "B-2", day(2026, 11, 15), &s));
    CHECK(s.limit_kind == CREDITBOOK_LIMIT_KIND_UNLIMITED && s.credit_balance == 5000);
    CHECK_OK(creditbook_book_summary(book, "A-1", day(2026, 9, 15), &s)); /* figures of the past */
    CHECK(s.balance_owed == 10000 && s.standing == CREDITBOOK_STANDING_OUTSTANDING);
    CHECK_RC(creditbook_book_summary(NULL, "A-1", day(2026, 1, 1), &s), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_summary(book, NULL, day(2026, 1, 1), &s), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_summary(book, "A-1", day(2026, 1, 1), NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_summary(book, BAD_UTF8, day(2026, 1, 1), &s), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_summary(book, "A-1", day(2026, 13, 1), &s), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_summary(book, "Z-9", day(2026, 1, 1), &s), CREDITBOOK_RESULT_UNKNOWN_ACCOUNT);

    /* accounts list */
    creditbook_accounts_query q = every_account(day(2026, 11, 15));
    q.sort = CREDITBOOK_SORT_KEY_BALANCE_OWED;
    q.descending = true;
    creditbook_account_list *list = NULL;
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 2);
    CHECK_STR(list->items[0].account_id, "A-1");
    CHECK_STR(list->items[1].account_id, "B-2");
    CHECK_STR(list->items[0].customer_name, "Marie Tremblay");
    CHECK(list->items[0].customer_email == NULL);
    CHECK(list->items[0].summary.balance_owed == 15000);
    creditbook_account_list_free(list);

    /* A customer opened without an id is known by the account's id. */
    creditbook_customer no_id = customer("unused", "Jean Roy");
    no_id.id = NULL;
    creditbook_operation open = op_at("open-c3", at);
    CHECK_OK(creditbook_book_open_account(book, "C-3", &open, &no_id, CREDITBOOK_LIMIT_KIND_AMOUNT, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
    q.search = "Jean Roy";
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 1 && list->items != NULL);
    CHECK_STR(list->items[0].customer_id, "C-3");
    creditbook_account_list_free(list);
    q.search = NULL;
    q.standing = CREDITBOOK_STANDING_SETTLED;
    q.search = "MARIE";
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 1 && list->items != NULL);
    creditbook_account_list_free(list);
    q.search = "nobody";
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 0 && list->items == NULL);
    creditbook_account_list_free(list);
    list = NULL;
    q.search = BAD_UTF8;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_UTF8);
    q.search = NULL;
    q.standing = 3;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_ENUM);
    q.standing = -2;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_ENUM);
    q.standing = -1;
    q.status = 3;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_ENUM);
    q.status = CREDITBOOK_ACCOUNT_STATUS_ON_HOLD;
    q.sort = 7;
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_ENUM);
    q.sort = CREDITBOOK_SORT_KEY_CUSTOMER_NAME;
    q.as_of = day(2026, 0, 1);
    CHECK_RC(creditbook_book_accounts(book, &q, &list), CREDITBOOK_RESULT_INVALID_INPUT);
    q.as_of = day(2026, 11, 15);
    CHECK_RC(creditbook_book_accounts(NULL, &q, &list), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_accounts(book, NULL, &list), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_accounts(book, &q, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(list == NULL);
    CHECK_OK(creditbook_book_accounts(book, &q, &list));
    CHECK(list->len == 0);
    creditbook_account_list_free(list);
    creditbook_account_list_free(NULL);

    /* activity */
    creditbook_activity *activity = NULL;
    CHECK_OK(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 12, 31), NULL, 0, &activity));
    CHECK(activity->len == 4);
    const creditbook_activity_line *pay = &activity->items[3];
    CHECK(pay->kind == CREDITBOOK_ENTRY_TYPE_PAYMENT && pay->entry == 4 && pay->amount == 15000);
    CHECK_STR(pay->op_id, "p1");
    CHECK_STR(pay->reference, "cheque 12");
    CHECK(pay->actor == NULL && pay->at == utc(2026, 10, 2, 16, 0));
    CHECK(pay->date.year == 2026 && pay->date.month == 10 && pay->date.day == 2);
    CHECK(pay->owed_change == -15000 && pay->owed_after == 15000 && pay->credit_after == 0);
    CHECK(pay->allocation_count == 2);
    CHECK(pay->allocations[0].invoice == 2 && pay->allocations[0].amount == 10000);
    CHECK(pay->allocations[1].invoice == 3 && pay->allocations[1].amount == 5000);
    CHECK(activity->items[0].kind == CREDITBOOK_ENTRY_TYPE_ACCOUNT_OPENED);
    CHECK(activity->items[0].allocations == NULL && activity->items[0].reference == NULL);
    creditbook_activity_free(activity);
    const uint32_t charges[] = {CREDITBOOK_ENTRY_TYPE_CHARGE};
    CHECK_OK(creditbook_book_activity(book, "A-1", day(2026, 10, 1), day(2026, 10, 31), charges, 1, &activity));
    CHECK(activity->len == 1 && activity->items[0].entry == 3);
    creditbook_activity_free(activity);
    activity = NULL;
    const uint32_t unknown[] = {99};
    CHECK_RC(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 2, 1), unknown, 1, &activity),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 2, 1), NULL, 1, &activity),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_activity(book, "A-1", day(2026, 3, 1), day(2026, 2, 1), NULL, 0, &activity),
             CREDITBOOK_RESULT_INVALID_DATE_RANGE);
    CHECK_RC(creditbook_book_activity(book, "A-1", day(2026, 2, 29), day(2026, 3, 1), NULL, 0, &activity),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_activity(NULL, "A-1", day(2026, 1, 1), day(2026, 2, 1), NULL, 0, &activity),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_activity(book, NULL, day(2026, 1, 1), day(2026, 2, 1), NULL, 0, &activity),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 2, 1), NULL, 0, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(activity == NULL);
    creditbook_activity_free(NULL);

    /* open invoices */
    creditbook_invoice_list *invoices = NULL;
    CHECK_OK(creditbook_book_open_invoices(book, "A-1", day(2026, 11, 15), &invoices));
    CHECK(invoices->len == 1);
    CHECK(invoices->items[0].invoice == 3 && invoices->items[0].amount == 20000);
    CHECK(invoices->items[0].remaining == 15000 && invoices->items[0].days_past_due == 15);
    CHECK_STR(invoices->items[0].sale, "S-2");
    CHECK(invoices->items[0].due_date.month == 10 && invoices->items[0].due_date.day == 31);
    creditbook_invoice_list_free(invoices);
    invoices = NULL;
    CHECK_RC(creditbook_book_open_invoices(NULL, "A-1", day(2026, 1, 1), &invoices), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_open_invoices(book, NULL, day(2026, 1, 1), &invoices), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_open_invoices(book, "A-1", day(2026, 1, 1), NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_open_invoices(book, "A-1", day(0, 1, 0), &invoices), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(invoices == NULL);
    creditbook_invoice_list_free(NULL);

    /* aging */
    creditbook_aging *aging = NULL;
    CHECK_OK(creditbook_book_aging(book, "A-1", day(2026, 11, 15), &aging));
    CHECK(aging->len == 5 && aging->total == 15000);
    CHECK(aging->buckets[0].range == CREDITBOOK_AGE_RANGE_CURRENT && aging->buckets[0].amount == 0);
    CHECK(aging->buckets[1].range == CREDITBOOK_AGE_RANGE_BETWEEN && aging->buckets[1].from_days == 1);
    CHECK(aging->buckets[1].to_days == 30 && aging->buckets[1].amount == 15000);
    CHECK_STR(aging->buckets[1].label, "1-30");
    CHECK(aging->buckets[4].range == CREDITBOOK_AGE_RANGE_OVER && aging->buckets[4].from_days == 90);
    CHECK_STR(aging->buckets[4].label, "over 90");
    CHECK(aging->as_of.day == 15);
    creditbook_aging_free(aging);
    aging = NULL;
    CHECK_RC(creditbook_book_aging(NULL, "A-1", day(2026, 1, 1), &aging), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_aging(book, NULL, day(2026, 1, 1), &aging), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_aging(book, "A-1", day(2026, 1, 1), NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_aging(book, "A-1", day(2026, 4, 31), &aging), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_aging(book, "nobody", day(2026, 4, 30), &aging), CREDITBOOK_RESULT_UNKNOWN_ACCOUNT);
    CHECK(aging == NULL);
    creditbook_aging_free(NULL);

    /* no balance passes the largest amount (10^15, 10^17 cents), so every figure fits an
       int64_t: a charge that would take the balance past it is refused and records nothing */
    op = op_at("big0", at);
    CHECK_OK(creditbook_book_charge(book, "B-2", &op, 100000000000000000LL, NULL, NULL, NULL, &out));
    op = op_at("big1", at);
    CHECK_RC(creditbook_book_charge(book, "B-2", &op, 1, NULL, NULL, NULL, &out), CREDITBOOK_RESULT_OVERFLOW);
    CHECK_RC(creditbook_book_charge(book, "B-2", &op, 100000000000000000LL, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_OVERFLOW);
    CHECK_OK(creditbook_book_summary(book, "B-2", day(2026, 11, 15), &s));
    CHECK(s.balance_owed == 100000000000000000LL);
    creditbook_book_free(book);
}

#define statement_error_contains(st, text) \
    LAST_ERROR_CONTAINS(creditbook_statement_last_error, st, text)

/* The longest line of a text, in characters (UTF-8 continuation bytes not counted). */
static size_t widest_line(const char *text) {
    size_t widest = 0, width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') {
            if (width > widest) widest = width;
            width = 0;
        } else if ((*p & 0xC0) != 0x80) {
            width++;
        }
    }
    return width > widest ? width : widest;
}

static void test_statements(void) {
    creditbook_book *book = new_book(NULL);
    open_account(book, "A-1", 100000);
    creditbook_operation op = op_at("c1", utc(2026, 11, 3, 15, 0));
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 32000, "S-1001", NULL, NULL, NULL));
    op = op_at("p1", utc(2026, 11, 20, 15, 0));
    CHECK_OK(creditbook_book_pay(book, "A-1", &op, 12000, NULL, 0, NULL, NULL));

    creditbook_statement_request req;
    memset(&req, 0, sizeof req);
    req.from = day(2026, 11, 1);
    req.to = day(2026, 11, 30);
    creditbook_statement *st = NULL;
    CHECK_OK(creditbook_book_statement(book, "A-1", &req, &st));
    creditbook_statement_figures f;
    CHECK_OK(creditbook_statement_get_figures(st, &f));
    CHECK(f.opening_balance == 0 && f.total_charges == 32000 && f.total_credits == 12000);
    CHECK(f.closing_balance == 20000 && f.amount_due == 20000 && f.credit_balance == 0);
    CHECK(f.line_count == 2 && f.open_invoice_count == 1 && !f.due_upon_receipt);
    CHECK(f.statement_date.day == 30 && f.due_date.month == 12 && f.due_date.day == 30);
    CHECK(f.period_from.day == 1 && f.period_to.day == 30);

    const char *languages[] = {"en", "fr", "es", "de", "nl"};
    for (size_t i = 0; i < 5; i++) {
        creditbook_statement *in = NULL;
        req.language = languages[i];
        CHECK_OK(creditbook_book_statement(book, "A-1", &req, &in));
        char *doc = NULL;
        CHECK_OK(creditbook_statement_render(in, CREDITBOOK_STATEMENT_FORMAT_HTML, 0, &doc));
        CHECK(doc != NULL && strncmp(doc, "<!DOCTYPE html>", 15) == 0);
        char lang_attr[32];
        snprintf(lang_attr, sizeof lang_attr, "lang=\"%s", languages[i]);
        CHECK(doc != NULL && strstr(doc, lang_attr) != NULL);
        creditbook_string_free(doc);
        size_t widths[] = {40, 48, 80};
        for (size_t w = 0; w < 3; w++) {
            CHECK_OK(creditbook_statement_render(in, CREDITBOOK_STATEMENT_FORMAT_TEXT, widths[w], &doc));
            CHECK(doc != NULL && widest_line(doc) <= widths[w] && strstr(doc, "S-1001") != NULL);
            creditbook_string_free(doc);
        }
        CHECK_OK(creditbook_statement_render(in, CREDITBOOK_STATEMENT_FORMAT_UBL, 0, &doc));
        CHECK(doc != NULL && strstr(doc, "<Statement") != NULL && strstr(doc, "200.00") != NULL);
        creditbook_string_free(doc);
        CHECK_OK(creditbook_statement_render(in, CREDITBOOK_STATEMENT_FORMAT_JSON, 0, &doc));
        char lang_json[32];
        snprintf(lang_json, sizeof lang_json, "\"language\": \"%s\"", languages[i]);
        CHECK(doc != NULL && strstr(doc, lang_json) != NULL && strstr(doc, "\"closing_balance\": \"200.00\""));
        creditbook_string_free(doc);
        /* The PDF: bytes and a length, a PDF/A file with the UBL statement inside. */
        uint8_t *pdf = NULL;
        size_t pdf_len = 0;
        CHECK_OK(creditbook_statement_render_bytes(in, CREDITBOOK_STATEMENT_FORMAT_PDF, 0, &pdf, &pdf_len));
        CHECK(pdf != NULL && pdf_len > 4000 && memcmp(pdf, "%PDF-", 5) == 0);
        CHECK(pdf != NULL && memcmp(pdf + pdf_len - 5, "%%EOF", 5) == 0);
        creditbook_bytes_free(pdf, pdf_len);
        CHECK_OK(creditbook_statement_render_bytes(in, CREDITBOOK_STATEMENT_FORMAT_UBL, 0, &pdf, &pdf_len));
        CHECK(pdf != NULL && pdf_len > 100 && memcmp(pdf, "<?xml", 5) == 0);
        creditbook_bytes_free(pdf, pdf_len);
        creditbook_statement_free(in);
    }
    req.language = NULL;

    /* The PDF with options: without the UBL it is smaller; the print run holds both. */
    {
        uint8_t *with = NULL, *without = NULL, *run = NULL;
        size_t with_len = 0, without_len = 0, run_len = 0;
        creditbook_pdf_options options = {CREDITBOOK_PAPER_A4, false};
        CHECK_OK(creditbook_statement_render_pdf(st, &options, &with, &with_len));
        options.leave_out_ubl = true;
        CHECK_OK(creditbook_statement_render_pdf(st, &options, &without, &without_len));
        CHECK(with_len > without_len && without_len > 4000);
        const creditbook_statement *both[2] = {st, st};
        CHECK_OK(creditbook_book_print_run(book, both, 2, NULL, &run, &run_len));
        CHECK(run_len > with_len);
        creditbook_bytes_free(with, with_len);
        creditbook_bytes_free(without, without_len);
        creditbook_bytes_free(run, run_len);
        uint8_t *untouched = (uint8_t *)&options;
        size_t len_untouched = 7;
        CHECK_RC(creditbook_book_print_run(book, both, 0, NULL, &untouched, &len_untouched),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        CHECK(untouched == (uint8_t *)&options && len_untouched == 7);
        options.paper = 9;
        CHECK_RC(creditbook_statement_render_pdf(st, &options, &untouched, &len_untouched),
                 CREDITBOOK_RESULT_INVALID_ENUM);
        char *text = NULL;
        CHECK_RC(creditbook_statement_render(st, CREDITBOOK_STATEMENT_FORMAT_PDF, 0, &text),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        CHECK(statement_error_contains(st, "creditbook_statement_render_bytes"));
    }

    /* the rendering's own refusals */
    char *doc = NULL;
    CHECK_RC(creditbook_statement_render(st, CREDITBOOK_STATEMENT_FORMAT_TEXT, 20, &doc),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(statement_error_contains(st, "20 is not between 32 and 160"));
    CHECK_RC(creditbook_statement_render(st, 5, 80, &doc), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_statement_render(st, 0, 80, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_statement_render(NULL, 0, 80, &doc), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(doc == NULL);
    CHECK_RC(creditbook_statement_get_figures(st, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_statement_get_figures(NULL, &f), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_statement_last_error(NULL, &doc), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_statement_last_error(st, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_statement_free(st);
    creditbook_statement_free(NULL);

    /* the request's choices and refusals */
    creditbook_date statement_date = day(2026, 12, 1), due = day(2026, 12, 1);
    int64_t amount_due = 5000;
    req.statement_date = &statement_date;
    req.due_date = &due;
    req.amount_due = &amount_due;
    req.number = "ST-42";
    req.language = "fr";
    st = NULL;
    CHECK_OK(creditbook_book_statement(book, "A-1", &req, &st));
    CHECK_OK(creditbook_statement_get_figures(st, &f));
    CHECK(f.amount_due == 5000 && f.due_upon_receipt && f.statement_date.month == 12);
    CHECK_OK(creditbook_statement_render(st, CREDITBOOK_STATEMENT_FORMAT_JSON, 0, &doc));
    CHECK(strstr(doc, "\"number\": \"ST-42\"") != NULL);
    creditbook_string_free(doc);
    creditbook_statement_free(st);
    st = NULL;
    amount_due = 999999;
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_STATEMENT_REQUEST);
    amount_due = 5000;
    req.language = "tlh";
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_LANGUAGE_NOT_OFFERED);
    req.language = BAD_UTF8;
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_UTF8);
    req.language = NULL;
    req.number = BAD_UTF8;
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_UTF8);
    req.number = NULL;
    due = day(2026, 11, 31);
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_INPUT);
    due = day(2026, 12, 1);
    statement_date = day(2026, 11, 2);
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_STATEMENT_REQUEST);
    req.statement_date = NULL;
    req.from = day(2026, 12, 1);
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, &st), CREDITBOOK_RESULT_INVALID_DATE_RANGE);
    req.from = day(2026, 11, 1);
    CHECK_RC(creditbook_book_statement(NULL, "A-1", &req, &st), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement(book, NULL, &req, &st), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement(book, "A-1", NULL, &st), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement(book, "A-1", &req, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement(book, "Z", &req, &st), CREDITBOOK_RESULT_UNKNOWN_ACCOUNT);
    CHECK(st == NULL);
    creditbook_book_free(book);
}

static void test_panic_boundary(void) {
    creditbook_book *book = new_book(NULL);
    open_account(book, "A-1", 1000);
    CHECK_RC(creditbook_test_force_panic(book), CREDITBOOK_RESULT_PANIC);
    CHECK(book_error_contains(book, "a panic was caught"));
    CHECK(book_error_contains(book, "forced by creditbook_test_force_panic"));
    CHECK_RC(creditbook_test_force_panic(NULL), CREDITBOOK_RESULT_PANIC);
    /* the process and the book go on */
    creditbook_operation op = op_at("after-panic", utc(2026, 11, 2, 16, 0));
    CHECK_OK(creditbook_book_charge(book, "A-1", &op, 500, NULL, NULL, NULL, NULL));
    creditbook_summary s;
    CHECK_OK(creditbook_book_summary(book, "A-1", day(2026, 11, 2), &s));
    CHECK(s.balance_owed == 500);
    creditbook_book_free(book);
}

void test_api(void) {
    test_version_and_names();
    test_amounts();
    test_settings();
    test_operations();
    test_reads();
    test_statements();
    test_panic_boundary();
}
