/* Emails, payment links, online payments and reminders through a mailer and a payment provider
 * written in C: what they receive, their failures (the host's code kept, nothing recorded for a
 * link, a failed send recorded and retried), replays recorded once, header injection refused, and
 * every new function with NULL for each pointer, invalid UTF-8 and unknown enum values. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "memstore.h"

static const char BAD_UTF8[] = "\xff\xfe";

/* ---- a recording mailer ---- */

typedef struct mailer {
    int sent;                  /* calls of send */
    int32_t fail;              /* status send returns when not 0 */
    const char *reason;        /* set in the sink when failing (NULL: none) */
    int answer;                /* 0: set no delivery id (a broken mailer) */
    creditbook_message_kind kind;
    char to[128];
    char subject[256];
    char id[128];
    size_t to_count, attachment_count, rfc5322_len;
    int rfc5322_has_subject;   /* the bytes carry a Subject header and the recipient */
    int text_has_link;         /* the text body holds https://pay.example/ */
    uint64_t reminder_invoice;
    uint32_t reminder_level;
    creditbook_book *book;     /* when set, send reads this book (a reentrant call) */
    int reentrant_result;
} mailer;

static void copy(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "(null)");
}

static int32_t mailer_send(void *user_data, const creditbook_message_view *m,
                           creditbook_string_sink *delivery_id) {
    mailer *ml = (mailer *)user_data;
    ml->sent++;
    ml->kind = m->kind;
    ml->to_count = m->to_count;
    copy(ml->to, sizeof ml->to, m->to_count ? m->to[0] : NULL);
    copy(ml->subject, sizeof ml->subject, m->subject);
    copy(ml->id, sizeof ml->id, m->id);
    ml->attachment_count = m->attachment_count;
    ml->rfc5322_len = m->rfc5322_len;
    ml->reminder_invoice = m->reminder_invoice;
    ml->reminder_level = m->reminder_level;
    ml->text_has_link = strstr(m->text, "https://pay.example/") != NULL;
    /* the bytes are not NUL-terminated: copy them before searching */
    char *bytes = malloc(m->rfc5322_len + 1);
    memcpy(bytes, m->rfc5322, m->rfc5322_len);
    bytes[m->rfc5322_len] = '\0';
    ml->rfc5322_has_subject = strstr(bytes, "Subject:") != NULL && strstr(bytes, ml->to) != NULL;
    free(bytes);
    if (ml->book != NULL) {
        creditbook_summary s;
        ml->reentrant_result = creditbook_book_summary(ml->book, "A-1", day(2026, 11, 30), &s);
    }
    if (ml->fail != 0) {
        if (ml->reason) creditbook_string_sink_set(delivery_id, ml->reason, strlen(ml->reason));
        return ml->fail;
    }
    if (!ml->answer) return CREDITBOOK_PORT_OK;
    char id[32];
    snprintf(id, sizeof id, "d-%d", ml->sent);
    return creditbook_string_sink_set(delivery_id, id, strlen(id)) == CREDITBOOK_RESULT_OK
               ? CREDITBOOK_PORT_OK
               : -1;
}

static creditbook_mailer_callbacks mailer_callbacks(mailer *ml) {
    memset(ml, 0, sizeof *ml);
    ml->answer = 1;
    creditbook_mailer_callbacks c;
    c.user_data = ml;
    c.send = mailer_send;
    return c;
}

/* ---- a recording payment provider ---- */

typedef struct provider {
    int calls;
    int32_t fail;
    const char *reason;
    int answer;                /* 0: return OK without a URL; 2: a URL that is not UTF-8 */
    int64_t amount, expires_at;
    char amount_text[32], currency[8], reference[128], purpose_ref[128], customer_name[128];
    creditbook_link_purpose purpose;
} provider;

static int32_t provider_create_link(void *user_data, const creditbook_payment_link_request *r,
                                    creditbook_string_sink *url) {
    provider *p = (provider *)user_data;
    p->calls++;
    p->amount = r->amount;
    p->expires_at = r->expires_at;
    p->purpose = r->purpose;
    copy(p->amount_text, sizeof p->amount_text, r->amount_text);
    copy(p->currency, sizeof p->currency, r->currency);
    copy(p->reference, sizeof p->reference, r->reference);
    copy(p->purpose_ref, sizeof p->purpose_ref, r->purpose_ref);
    copy(p->customer_name, sizeof p->customer_name, r->customer_name);
    if (p->fail != 0) {
        if (p->reason) creditbook_string_sink_set(url, p->reason, strlen(p->reason));
        return p->fail;
    }
    if (p->answer == 0) return CREDITBOOK_PORT_OK;
    if (p->answer == 2) {
        creditbook_string_sink_set(url, BAD_UTF8, 2);
        return CREDITBOOK_PORT_OK;
    }
    char link[200];
    snprintf(link, sizeof link, "https://pay.example/%s", r->reference);
    creditbook_string_sink_set(url, link, strlen(link));
    return CREDITBOOK_PORT_OK;
}

static creditbook_payment_provider_callbacks provider_callbacks(provider *p) {
    memset(p, 0, sizeof *p);
    p->answer = 1;
    creditbook_payment_provider_callbacks c;
    c.user_data = p;
    c.create_link = provider_create_link;
    return c;
}

/* ---- helpers ---- */

#define AT utc(2026, 11, 3, 15, 0)
#define DAY_SECONDS 86400

static creditbook_settings *store_settings(void) {
    creditbook_settings *s = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &s));
    CHECK_OK(creditbook_settings_set_message_addresses(s, "comptes@lapointe.example", NULL));
    return s;
}

static creditbook_book *book_with(const creditbook_mailer_callbacks *m,
                                  const creditbook_payment_provider_callbacks *p) {
    creditbook_settings *s = store_settings();
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_book_new_with_ports(s, NULL, m, p, &book));
    creditbook_settings_free(s);
    return book;
}

/* Opens an account whose customer has `email` (NULL: none) and charges `amount`, due `due`;
 * returns the invoice. */
static uint64_t open_and_charge(creditbook_book *book, const char *account, const char *email,
                            int64_t amount, creditbook_date due) {
    creditbook_customer c = customer("c-17", "Marie Tremblay");
    c.email = email;
    char op_id[64];
    snprintf(op_id, sizeof op_id, "open-%s", account);
    creditbook_operation op = op_at(op_id, utc(2026, 11, 1, 15, 0));
    CHECK_OK(creditbook_book_open_account(book, account, granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED,
                                          0, CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
    snprintf(op_id, sizeof op_id, "charge-%s", account);
    op = op_at(op_id, utc(2026, 11, 2, 15, 0));
    creditbook_outcome out;
    memset(&out, 0, sizeof out);
    CHECK_OK(creditbook_book_charge(book, account, &op, amount, "S-1", &due, NULL, &out));
    return out.invoice;
}

static creditbook_statement_request november(void) {
    creditbook_statement_request r;
    memset(&r, 0, sizeof r);
    r.from = day(2026, 11, 1);
    r.to = day(2026, 11, 30);
    return r;
}

/* The number of entries of one kind on the account in 2026. */
static size_t entries_of(creditbook_book *book, const char *account, uint32_t kind) {
    creditbook_activity *a = NULL;
    CHECK_OK(creditbook_book_activity(book, account, day(2026, 1, 1), day(2026, 12, 31), &kind, 1,
                                      &a));
    size_t n = a ? a->len : 0;
    creditbook_activity_free(a);
    return n;
}

static int64_t owed(creditbook_book *book, const char *account) {
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    CHECK_OK(creditbook_book_summary(book, account, day(2026, 12, 31), &s));
    return s.balance_owed;
}

#define settings_error_contains(s, text) LAST_ERROR_CONTAINS(creditbook_settings_last_error, s, text)

/* ---- the tests ---- */

static void test_message_settings(void) {
    creditbook_settings *s = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie", "CAD", "America/Montreal", &s));
    CHECK_OK(creditbook_settings_set_message_addresses(s, "comptes@lapointe.example",
                                                       "gerant@lapointe.example"));
    CHECK_OK(creditbook_settings_set_message_addresses(s, NULL, NULL));
    CHECK_RC(creditbook_settings_set_message_addresses(s, "not an address", NULL),
             CREDITBOOK_RESULT_INVALID_EMAIL);
    CHECK_RC(creditbook_settings_set_message_addresses(s, NULL, "a@b.example\r\nBcc: x@y.example"),
             CREDITBOOK_RESULT_HEADER_INJECTION);
    CHECK_RC(creditbook_settings_set_message_addresses(s, BAD_UTF8, NULL),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_message_addresses(s, NULL, BAD_UTF8),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_settings_set_message_addresses(NULL, NULL, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);

    CHECK_OK(creditbook_settings_set_payment_links(s, 50000, 10, 7));
    CHECK_RC(creditbook_settings_set_payment_links(s, 0, 10, 7), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(settings_error_contains(s, "payment link maximum"));
    CHECK_RC(creditbook_settings_set_payment_links(NULL, 1, 1, 1), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_ATTACH_UBL, true));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_INCLUDE_PAYMENT_LINK, false));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_ATTACH_PDF, false));
    CHECK_OK(creditbook_settings_set_flag(s, CREDITBOOK_SETTING_FLAG_ATTACH_HTML, true));
    CHECK_RC(creditbook_settings_set_flag(s, 8, true), CREDITBOOK_RESULT_INVALID_ENUM);

    /* The automation is the book's, recorded in the store: a second book on the same store (a
     * restart, another till) follows it; the checks are the book's (see the reminders test). */
    creditbook_automation a;
    memset(&a, 0, sizeof a);
    a.reminder_days[0] = -3;
    a.reminder_days[1] = 7;
    a.reminder_day_count = 2;
    a.statement_day = 1;
    memstore shared;
    memstore_init(&shared);
    creditbook_store_callbacks cb = memstore_callbacks(&shared);
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_book_new(s, &cb, &book));
    creditbook_operation set = op_by("auto-1", utc(2026, 12, 1, 15, 0), "emp-1",
                                     CREDITBOOK_PERMISSION_AUTOMATED_AR);
    CHECK_OK(creditbook_book_set_automation(book, &set, &a));
    creditbook_book *other = NULL;
    CHECK_OK(creditbook_book_new(s, &cb, &other));
    creditbook_automation got;
    CHECK_OK(creditbook_book_get_automation(other, &got));
    CHECK(got.reminder_day_count == 2 && got.reminder_days[0] == -3 && got.reminder_days[1] == 7);
    CHECK(got.statement_day == 1);
    CHECK_RC(creditbook_book_get_automation(NULL, &got), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_get_automation(book, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_book_free(other);
    creditbook_book_free(book);
    memstore_free(&shared);
    creditbook_settings_free(s);
}

static void test_ports_are_checked(void) {
    mailer ml;
    provider pv;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_settings *s = store_settings();
    creditbook_book *book = NULL;
    m.send = NULL;
    CHECK_RC(creditbook_book_new_with_ports(s, NULL, &m, &p, &book), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(settings_error_contains(s, "mailer->send is NULL"));
    m = mailer_callbacks(&ml);
    p.create_link = NULL;
    CHECK_RC(creditbook_book_new_with_ports(s, NULL, &m, &p, &book), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(settings_error_contains(s, "payment_provider->create_link is NULL"));
    p = provider_callbacks(&pv);
    CHECK_RC(creditbook_book_new_with_ports(NULL, NULL, &m, &p, &book),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_new_with_ports(s, NULL, &m, &p, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK(book == NULL);
    CHECK_OK(creditbook_book_new_with_ports(s, NULL, NULL, NULL, &book)); /* no ports at all */
    creditbook_settings_free(s);

    /* without ports: PORT_MISSING where one is needed, nothing else fails */
    open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    creditbook_operation op = op_at("link-1", AT);
    creditbook_payment_link *link = NULL;
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 7000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "A-1-20261130", &link),
             CREDITBOOK_RESULT_PORT_MISSING);
    CHECK(book_error_contains(book, "no payment provider"));
    creditbook_statement_request r = november();
    creditbook_statement *st = NULL;
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", &r, &op, 1, &st),
             CREDITBOOK_RESULT_PORT_MISSING);
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, &st));
    creditbook_statement_payment_link shown;
    CHECK_OK(creditbook_statement_get_payment_link(st, &shown));
    CHECK(!shown.present && shown.url == NULL && !shown.omitted);
    creditbook_message *msg = NULL;
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &msg));
    CHECK_RC(creditbook_book_send(book, msg, AT, NULL, NULL), CREDITBOOK_RESULT_PORT_MISSING);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_MESSAGE_SENT) == 0);
    /* a confirmation without a mailer records the payment and sends nothing */
    creditbook_confirmation c;
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_0", 1000, AT, NULL, &c));
    CHECK(!c.outcome.replayed && c.receipt.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
    CHECK(c.notice.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
    creditbook_message_free(msg);
    creditbook_statement_free(st);
    creditbook_book_free(book);
}

/* The README's story: a statement with its Pay online link, emailed once, paid online, the
 * provider's confirmation replayed and recorded once. */
static void test_statement_emailed_and_paid(void) {
    mailer ml;
    provider pv;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_book *book = book_with(&m, &p);
    open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));

    creditbook_statement_request r = november();
    creditbook_operation op = op_at("link-1", AT);
    creditbook_statement *st = NULL;
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, &st));
    CHECK(pv.calls == 1);
    CHECK(pv.amount == 7000);
    CHECK_STR(pv.amount_text, "70.00");
    CHECK_STR(pv.currency, "CAD");
    CHECK_STR(pv.reference, "A-1-link-1");
    CHECK(pv.purpose == CREDITBOOK_LINK_PURPOSE_BALANCE);
    CHECK_STR(pv.purpose_ref, "A-1-20261130");
    CHECK_STR(pv.customer_name, "Marie Tremblay");
    CHECK(pv.expires_at == AT + 30 * DAY_SECONDS);
    creditbook_statement_payment_link shown;
    CHECK_OK(creditbook_statement_get_payment_link(st, &shown));
    CHECK(shown.present && shown.amount == 7000 && shown.expires_at == AT + 30 * DAY_SECONDS);
    CHECK_STR(shown.url, "https://pay.example/A-1-link-1");
    /* the same operation id replays the link: the provider is not asked again */
    creditbook_statement *again = NULL;
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, &again));
    CHECK(pv.calls == 1);
    creditbook_statement_free(again);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_PAYMENT_LINK_CREATED) == 1);

    /* the email, reviewed before it is sent */
    creditbook_message *msg = NULL;
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &msg));
    creditbook_message_view v;
    CHECK_OK(creditbook_message_get_view(msg, &v));
    CHECK(v.kind == CREDITBOOK_MESSAGE_KIND_STATEMENT);
    CHECK_STR(v.account, "A-1");
    CHECK_STR(v.from, "comptes@lapointe.example");
    CHECK(v.to_count == 1);
    CHECK_STR(v.to[0], "marie@example.com");
    CHECK(strstr(v.text, "https://pay.example/A-1-link-1") != NULL);
    CHECK(strstr(v.html, "https://pay.example/A-1-link-1") != NULL);
    CHECK(v.attachment_count >= 1);
    CHECK(strstr(v.attachments[0].content_type, "text/html") != NULL);
    CHECK(v.attachments[0].content_len > 0 && v.attachments[0].content != NULL);
    CHECK(v.rfc5322 == NULL && v.rfc5322_len == 0);
    CHECK(v.reminder_invoice == 0);
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(creditbook_message_to_rfc5322(msg, AT, &bytes, &len));
    CHECK(len > 0);
    char *text = malloc(len + 1);
    memcpy(text, bytes, len);
    text[len] = '\0';
    CHECK(strstr(text, "Subject:") != NULL);
    CHECK(strstr(text, "marie@example.com") != NULL);
    CHECK(strstr(text, "2026 15:00:00") != NULL); /* dated AT */
    free(text);
    creditbook_bytes_free(bytes, len);
    creditbook_bytes_free(NULL, 0);

    /* sent once: a second send finds it delivered */
    char *delivery = NULL;
    bool already = true;
    CHECK_OK(creditbook_book_send(book, msg, AT, &delivery, &already));
    CHECK_STR(delivery, "d-1");
    CHECK(!already);
    creditbook_string_free(delivery);
    CHECK(ml.sent == 1 && ml.kind == CREDITBOOK_MESSAGE_KIND_STATEMENT);
    CHECK_STR(ml.to, "marie@example.com");
    CHECK_STR(ml.subject, v.subject);
    CHECK_STR(ml.id, v.id);
    CHECK(ml.to_count == 1 && ml.attachment_count == v.attachment_count);
    CHECK(ml.rfc5322_len > 0 && ml.rfc5322_has_subject && ml.text_has_link);
    CHECK_OK(creditbook_book_send(book, msg, AT, &delivery, &already));
    CHECK_STR(delivery, "d-1");
    CHECK(already);
    creditbook_string_free(delivery);
    CHECK_OK(creditbook_book_send(book, msg, AT, NULL, NULL)); /* both outputs optional */
    CHECK(ml.sent == 1);
    /* each send records its claim, then how it went */
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_MESSAGE_SENT) == 2);

    /* the provider reports the payment twice: recorded once, receipt and notice sent once */
    creditbook_confirmation c;
    memset(&c, 0, sizeof c);
    CHECK(owed(book, "A-1") == 7000);
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_1", 7000, AT, "A-1-link-1", &c));
    CHECK(!c.outcome.replayed && c.outcome.owed_change == -7000 && c.outcome.allocated == 7000);
    CHECK(c.receipt.status == CREDITBOOK_DELIVERY_STATUS_DELIVERED);
    CHECK(c.receipt.result == CREDITBOOK_RESULT_OK);
    CHECK(c.notice.status == CREDITBOOK_DELIVERY_STATUS_DELIVERED);
    CHECK(ml.sent == 3 && ml.kind == CREDITBOOK_MESSAGE_KIND_STORE_NOTICE);
    CHECK_STR(ml.to, "comptes@lapointe.example");
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_1", 7000, AT, "A-1-link-1", &c));
    CHECK(c.outcome.replayed && c.outcome.owed_change == -7000);
    CHECK(c.receipt.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
    CHECK(c.notice.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_1", 7000, AT, "A-1-link-1",
                                                    NULL));
    CHECK(ml.sent == 3);
    CHECK(owed(book, "A-1") == 0);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_PAYMENT) == 1);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_MESSAGE_SENT) == 6);

    creditbook_message_free(msg);
    creditbook_message_free(NULL);
    creditbook_statement_free(st);
    creditbook_book_free(book);
}

static void test_payment_links(void) {
    mailer ml;
    provider pv;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_book *book = book_with(&m, &p);
    open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    creditbook_operation op = op_at("pl-1", AT);
    creditbook_payment_link *link = NULL;

    /* the provider fails: its code and reason kept, nothing recorded */
    pv.fail = 77;
    pv.reason = "gateway down";
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED);
    CHECK(book_error_contains(book, "payment provider failed (code 77): gateway down"));
    CHECK(link == NULL);
    pv.reason = NULL;
    pv.fail = -2;
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED);
    CHECK(book_error_contains(book, "code -2"));
    pv.fail = 0;
    pv.answer = 0; /* OK without a URL */
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED);
    CHECK(book_error_contains(book, "without setting its answer"));
    pv.answer = 2; /* a URL that is not UTF-8 */
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED);
    CHECK(book_error_contains(book, "not valid UTF-8"));
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_PAYMENT_LINK_CREATED) == 0);
    CHECK(pv.calls == 4);

    /* the same operation id now makes the link: it was not used */
    pv.answer = 1;
    CHECK_OK(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link));
    CHECK(!link->replayed && link->amount == 5000 && link->purpose == CREDITBOOK_LINK_PURPOSE_BALANCE);
    CHECK_STR(link->account, "A-1");
    CHECK_STR(link->reference, "A-1-pl-1");
    CHECK_STR(link->purpose_ref, "st-1");
    CHECK_STR(link->url, "https://pay.example/A-1-pl-1");
    CHECK(link->expires_at == AT + 30 * DAY_SECONDS);
    creditbook_payment_link_free(link);
    link = NULL;
    CHECK_OK(creditbook_book_payment_link(book, "A-1", &op, 5000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link));
    CHECK(link->replayed && pv.calls == 5);
    creditbook_payment_link_free(link);
    link = NULL;
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op, 4000, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_OPERATION_ID_CONFLICT);

    /* amounts out of range are refused before the provider is asked */
    creditbook_operation op2 = op_at("pl-2", AT);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op2, 7001, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_LINK_AMOUNT_OUT_OF_RANGE);
    CHECK(book_error_contains(book, "70.00"));
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op2, 0, CREDITBOOK_LINK_PURPOSE_BALANCE,
                                          "st-1", &link),
             CREDITBOOK_RESULT_PAYMENT_LINK_AMOUNT_OUT_OF_RANGE);
    CHECK(pv.calls == 5);

    /* a deposit request: 14 days, paid it becomes store credit */
    creditbook_operation op3 = op_at("dep-1", AT);
    CHECK_OK(creditbook_book_payment_link(book, "A-1", &op3, 2500, CREDITBOOK_LINK_PURPOSE_DEPOSIT,
                                          "S-9", &link));
    CHECK(link->purpose == CREDITBOOK_LINK_PURPOSE_DEPOSIT && pv.purpose == CREDITBOOK_LINK_PURPOSE_DEPOSIT);
    CHECK(link->expires_at == AT + 14 * DAY_SECONDS);
    CHECK_STR(pv.purpose_ref, "S-9");
    creditbook_confirmation c;
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_9", 2500, AT, link->reference,
                                                    &c));
    CHECK(c.outcome.credit_change == 2500 && c.outcome.owed_change == 0);
    creditbook_payment_link_free(link);
    creditbook_payment_link_free(NULL);

    /* every pointer, UTF-8 and the purpose */
    link = NULL;
    uint32_t B = CREDITBOOK_LINK_PURPOSE_BALANCE;
    creditbook_operation op4 = op_at("pl-4", AT);
    CHECK_RC(creditbook_book_payment_link(NULL, "A-1", &op4, 100, B, "r", &link),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_payment_link(book, NULL, &op4, 100, B, "r", &link),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", NULL, 100, B, "r", &link),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op4, 100, B, NULL, &link),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op4, 100, B, "r", NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_payment_link(book, BAD_UTF8, &op4, 100, B, "r", &link),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op4, 100, B, BAD_UTF8, &link),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_payment_link(book, "A-1", &op4, 100, 2, "r", &link),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK(book_error_contains(book, "2 is not a valid creditbook_link_purpose"));
    CHECK(link == NULL && pv.calls == 6);
    creditbook_book_free(book);
}

static void test_failed_send_is_recorded_and_retried(void) {
    mailer ml;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_book *book = book_with(&m, NULL);
    uint64_t invoice = open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    creditbook_message *msg = NULL;
    CHECK_OK(creditbook_book_compose_invoice_email(book, "A-1", invoice, NULL, &msg));
    creditbook_message_view v;
    CHECK_OK(creditbook_message_get_view(msg, &v));
    CHECK(v.kind == CREDITBOOK_MESSAGE_KIND_INVOICE);

    ml.fail = 55;
    ml.reason = "relay refused";
    char *delivery = NULL;
    bool already = false;
    CHECK_RC(creditbook_book_send(book, msg, AT, &delivery, &already),
             CREDITBOOK_RESULT_DELIVERY_FAILED);
    CHECK(book_error_contains(book, "delivery failed (code 55): relay refused"));
    CHECK(delivery == NULL);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_MESSAGE_SENT) == 2); /* claimed, failed */
    ml.fail = 0;
    ml.answer = 0; /* OK without a delivery id: a failure too */
    CHECK_RC(creditbook_book_send(book, msg, AT, &delivery, &already),
             CREDITBOOK_RESULT_DELIVERY_FAILED);
    CHECK(book_error_contains(book, "without setting its answer"));
    ml.answer = 1;
    ml.book = book; /* the callback reads the same book: allowed */
    CHECK_OK(creditbook_book_send(book, msg, AT, &delivery, &already));
    CHECK(!already && ml.sent == 3);
    CHECK(ml.reentrant_result == CREDITBOOK_RESULT_OK);
    CHECK_STR(delivery, "d-3");
    creditbook_string_free(delivery);
    CHECK(entries_of(book, "A-1", CREDITBOOK_ENTRY_TYPE_MESSAGE_SENT) == 6);
    CHECK_OK(creditbook_book_send(book, msg, AT, NULL, &already));
    CHECK(already && ml.sent == 3);
    creditbook_message_free(msg);
    creditbook_book_free(book);
}

static void test_compose_refusals(void) {
    mailer ml;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_book *book = book_with(&m, NULL);
    uint64_t invoice = open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    uint64_t unaddressed = open_and_charge(book, "B-2", NULL, 1000, day(2026, 12, 2));
    creditbook_statement_request r = november();
    creditbook_statement *st = NULL;
    CHECK_OK(creditbook_book_statement(book, "A-1", &r, &st));
    creditbook_message *msg = NULL;

    /* header injection: a line break in a recipient never reaches the mailer */
    CHECK_RC(creditbook_book_compose_statement_email(book, st, "x@example.com\r\nBcc: evil@example.com",
                                                     &msg),
             CREDITBOOK_RESULT_HEADER_INJECTION);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "A-1", invoice,
                                                   "x@example.com\nBcc: e@example.com", &msg),
             CREDITBOOK_RESULT_HEADER_INJECTION);
    CHECK_RC(creditbook_book_compose_statement_email(book, st, "not an address", &msg),
             CREDITBOOK_RESULT_INVALID_EMAIL);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "B-2", unaddressed, NULL, &msg),
             CREDITBOOK_RESULT_MISSING_RECIPIENT);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "A-1", 99, NULL, &msg),
             CREDITBOOK_RESULT_UNKNOWN_INVOICE);
    CHECK(msg == NULL && ml.sent == 0);

    /* another recipient than the one on file */
    CHECK_OK(creditbook_book_compose_statement_email(book, st, "compta@client.example", &msg));
    creditbook_message_view v;
    CHECK_OK(creditbook_message_get_view(msg, &v));
    CHECK_STR(v.to[0], "compta@client.example");

    /* NULL for each pointer, invalid UTF-8 */
    creditbook_message *other = NULL;
    CHECK_RC(creditbook_book_compose_statement_email(NULL, st, NULL, &other),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_statement_email(book, NULL, NULL, &other),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_statement_email(book, st, NULL, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_statement_email(book, st, BAD_UTF8, &other),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_compose_invoice_email(NULL, "A-1", 1, NULL, &other),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_invoice_email(book, NULL, 1, NULL, &other),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "A-1", 1, NULL, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_compose_invoice_email(book, BAD_UTF8, 1, NULL, &other),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "A-1", 1, BAD_UTF8, &other),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK(other == NULL);
    CHECK_RC(creditbook_message_get_view(NULL, &v), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_message_get_view(msg, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_RC(creditbook_message_to_rfc5322(NULL, AT, &bytes, &len), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_message_to_rfc5322(msg, AT, NULL, &len), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_message_to_rfc5322(msg, AT, &bytes, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_message_to_rfc5322(msg, INT64_MAX, &bytes, &len),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(LAST_ERROR_CONTAINS(creditbook_message_last_error, msg, "out of range"));
    CHECK(bytes == NULL && len == 0);
    char *text = NULL;
    CHECK_RC(creditbook_message_last_error(NULL, &text), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_message_last_error(msg, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_send(NULL, msg, AT, NULL, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_send(book, NULL, AT, NULL, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_send(book, msg, INT64_MIN, NULL, NULL), CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(ml.sent == 0);

    creditbook_statement_payment_link shown;
    CHECK_RC(creditbook_statement_get_payment_link(NULL, &shown), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_statement_get_payment_link(st, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_string_sink_set(NULL, "x", 1), CREDITBOOK_RESULT_NULL_PARAMETER);
    creditbook_message_free(msg);
    creditbook_statement_free(st);
    creditbook_book_free(book);
}

static void test_statement_with_link_refusals(void) {
    provider pv;
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_settings *s = store_settings();
    CHECK_OK(creditbook_settings_set_payment_links(s, 5000, 30, 14)); /* a cap of 50.00 */
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_book_new_with_ports(s, NULL, NULL, &p, &book));
    creditbook_settings_free(s);
    open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    creditbook_statement_request r = november();
    creditbook_operation op = op_at("link-1", AT);
    creditbook_statement *st = NULL;

    /* above the cap: no link, and the statement says why */
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, &st));
    creditbook_statement_payment_link shown;
    CHECK_OK(creditbook_statement_get_payment_link(st, &shown));
    CHECK(!shown.present && shown.omitted && shown.omitted_cap == 5000);
    CHECK(pv.calls == 0);
    creditbook_statement_free(st);
    st = NULL;
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &r, &op, 0, &st));
    creditbook_statement_free(st);
    st = NULL;

    CHECK_RC(creditbook_book_statement_with_link(NULL, "A-1", &r, &op, -1, &st),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement_with_link(book, NULL, &r, &op, -1, &st),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", NULL, &op, -1, &st),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", &r, NULL, -1, &st),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statement_with_link(book, BAD_UTF8, &r, &op, -1, &st),
             CREDITBOOK_RESULT_INVALID_UTF8);
    r.language = BAD_UTF8;
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", &r, &op, -1, &st),
             CREDITBOOK_RESULT_INVALID_UTF8);
    r.language = NULL;
    CHECK_RC(creditbook_book_statement_with_link(book, "A-1", &r, &op, 2, &st),
             CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK(st == NULL);
    creditbook_book_free(book);
}

static void test_confirmation_refusals(void) {
    mailer ml;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_book *book = book_with(&m, NULL);
    open_and_charge(book, "A-1", NULL, 7000, day(2026, 12, 2)); /* no email on file */
    creditbook_confirmation c;
    CHECK_RC(creditbook_book_confirm_online_payment(NULL, "A-1", "pp", 100, AT, NULL, &c),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_confirm_online_payment(book, NULL, "pp", 100, AT, NULL, &c),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", NULL, 100, AT, NULL, &c),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_confirm_online_payment(book, BAD_UTF8, "pp", 100, AT, NULL, &c),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", BAD_UTF8, 100, AT, NULL, &c),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", "pp", 100, AT, BAD_UTF8, &c),
             CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", "pp", 100, INT64_MAX, NULL, &c),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", "", 100, AT, NULL, &c),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_confirm_online_payment(book, "A-1", "pp", 0, AT, NULL, &c),
             CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE);
    CHECK(owed(book, "A-1") == 7000);

    /* the customer has no email: no receipt (MISSING_RECIPIENT), the store's notice goes */
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp", 1000, AT, NULL, &c));
    CHECK(c.receipt.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
    CHECK(c.notice.status == CREDITBOOK_DELIVERY_STATUS_DELIVERED);
    CHECK(ml.sent == 1 && ml.kind == CREDITBOOK_MESSAGE_KIND_STORE_NOTICE);
    /* a failing mailer does not fail the confirmation: the notice says how it went */
    ml.fail = 9;
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp2", 1000, AT, NULL, &c));
    CHECK(!c.outcome.replayed);
    CHECK(c.notice.status == CREDITBOOK_DELIVERY_STATUS_FAILED);
    CHECK(c.notice.result == CREDITBOOK_RESULT_DELIVERY_FAILED && c.notice.host_code == 9);
    CHECK(owed(book, "A-1") == 5000);
    creditbook_book_free(book);
}

static void test_reminders(void) {
    mailer ml;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_book *book = book_with(&m, NULL);
    uint64_t invoice = open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    open_and_charge(book, "B-2", NULL, 1000, day(2026, 12, 2));

    creditbook_automation a;
    memset(&a, 0, sizeof a);
    a.reminder_days[0] = 0;
    a.reminder_days[1] = 7;
    a.reminder_day_count = 2;
    const uint32_t AR = CREDITBOOK_PERMISSION_AUTOMATED_AR;
    const int64_t when = utc(2026, 12, 1, 15, 0);
    creditbook_operation by = op_by("auto-1", when, "emp-1", AR);
    creditbook_operation none = op_by("auto-1", when, "emp-1", 0);
    creditbook_operation nobody = op_by("auto-1", when, NULL, 0);
    creditbook_operation bad_bits = op_by("auto-1", when, "emp-1", 1u << 30);
    creditbook_operation bad_utf8 = op_by("auto-1", when, BAD_UTF8, AR);
    CHECK_RC(creditbook_book_set_automation(book, &none, &a), CREDITBOOK_RESULT_PERMISSION_DENIED);
    CHECK_RC(creditbook_book_set_automation(book, &nobody, &a), CREDITBOOK_RESULT_PERMISSION_DENIED);
    CHECK_RC(creditbook_book_set_automation(book, &bad_bits, &a), CREDITBOOK_RESULT_INVALID_ENUM);
    CHECK_RC(creditbook_book_set_automation(book, &bad_utf8, &a), CREDITBOOK_RESULT_INVALID_UTF8);
    CHECK_RC(creditbook_book_set_automation(book, NULL, &a), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_set_automation(book, &by, NULL), CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_set_automation(NULL, &by, &a), CREDITBOOK_RESULT_NULL_PARAMETER);
    a.statement_day = 31;
    CHECK_RC(creditbook_book_set_automation(book, &by, &a), CREDITBOOK_RESULT_INVALID_INPUT);
    a.statement_day = 0;
    creditbook_automation got;
    CHECK_OK(creditbook_book_get_automation(book, &got));
    CHECK(got.reminder_day_count == 0);
    CHECK_OK(creditbook_book_set_automation(book, &by, &a));
    CHECK_OK(creditbook_book_get_automation(book, &got));
    CHECK(got.reminder_day_count == 2 && got.reminder_days[1] == 7 && got.statement_day == 0);

    /* listed, not sent: one per open invoice; B-2 has no email */
    creditbook_reminder_list *list = NULL;
    CHECK_OK(creditbook_book_reminders_due(book, day(2026, 12, 1), &list));
    CHECK(list->len == 0); /* before the first reminder day */
    creditbook_reminder_list_free(list);
    CHECK_OK(creditbook_book_reminders_due(book, day(2026, 12, 10), &list));
    CHECK(list->len == 2);
    if (list->len == 2) {
        CHECK_STR(list->items[0].account, "A-1");
        CHECK(list->items[0].invoice == invoice && list->items[0].level == 1);
        CHECK(list->items[0].days_from_due == 8);
        CHECK(list->items[0].delivery.status == CREDITBOOK_DELIVERY_STATUS_NOT_SENT);
        CHECK(list->items[0].delivery.result == CREDITBOOK_RESULT_OK);
        CHECK(list->items[0].delivery_id == NULL);
        CHECK(list->items[1].delivery.result == CREDITBOOK_RESULT_MISSING_RECIPIENT);
    }
    creditbook_reminder_list_free(list);
    CHECK(ml.sent == 0);

    /* sent: a failing mailer first (recorded, sent again by the next run) */
    ml.fail = 12;
    CHECK_OK(creditbook_book_send_reminders(book, day(2026, 12, 10), AT, &list));
    CHECK(list->len == 2);
    if (list->len == 2) {
        CHECK(list->items[0].delivery.status == CREDITBOOK_DELIVERY_STATUS_FAILED);
        CHECK(list->items[0].delivery.result == CREDITBOOK_RESULT_DELIVERY_FAILED);
        CHECK(list->items[0].delivery.host_code == 12);
        CHECK(list->items[1].delivery.status == CREDITBOOK_DELIVERY_STATUS_FAILED);
        CHECK(list->items[1].delivery.result == CREDITBOOK_RESULT_MISSING_RECIPIENT);
    }
    creditbook_reminder_list_free(list);
    ml.fail = 0;
    CHECK_OK(creditbook_book_send_reminders(book, day(2026, 12, 10), AT, &list));
    CHECK(list->len == 2);
    if (list->len == 2) {
        CHECK(list->items[0].delivery.status == CREDITBOOK_DELIVERY_STATUS_DELIVERED);
        CHECK_STR(list->items[0].delivery_id, "d-2");
    }
    creditbook_reminder_list_free(list);
    CHECK(ml.kind == CREDITBOOK_MESSAGE_KIND_REMINDER && ml.reminder_invoice == invoice);
    CHECK(ml.reminder_level == 1);
    /* never twice */
    CHECK_OK(creditbook_book_send_reminders(book, day(2026, 12, 11), AT, &list));
    CHECK(list->len == 1); /* only B-2's, which cannot be composed */
    creditbook_reminder_list_free(list);
    CHECK(ml.sent == 2);

    list = NULL;
    CHECK_RC(creditbook_book_reminders_due(NULL, day(2026, 12, 10), &list),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_reminders_due(book, day(2026, 12, 10), NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_reminders_due(book, day(2026, 2, 30), &list),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_send_reminders(NULL, day(2026, 12, 10), AT, &list),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_send_reminders(book, day(2026, 12, 10), AT, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_send_reminders(book, day(2026, 12, 10), INT64_MAX, &list),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(list == NULL);
    creditbook_reminder_list_free(NULL);
    creditbook_book_free(book);
}

static void test_statement_schedule(void) {
    provider pv;
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_book *book = book_with(NULL, &p);
    open_and_charge(book, "A-1", "marie@example.com", 7000, day(2026, 12, 2));
    open_and_charge(book, "B-2", NULL, 1000, day(2026, 12, 2));
    creditbook_automation a;
    memset(&a, 0, sizeof a);
    a.statement_day = 5;
    creditbook_operation by = op_by("auto-1", utc(2026, 12, 1, 15, 0), "emp-1",
                                    CREDITBOOK_PERMISSION_AUTOMATED_AR);
    CHECK_OK(creditbook_book_set_automation(book, &by, &a));

    /* any other day: an empty list */
    creditbook_statement_list *list = NULL;
    CHECK_OK(creditbook_book_statements_due(book, day(2026, 12, 4), AT, &list));
    CHECK(list != NULL && list->len == 0 && list->items == NULL);
    creditbook_statement_list_free(list);

    /* the provider down fails the run, and writes nothing */
    pv.fail = 503;
    list = NULL;
    CHECK_RC(creditbook_book_statements_due(book, day(2026, 12, 5), AT, &list),
             CREDITBOOK_RESULT_PAYMENT_PROVIDER_FAILED);
    CHECK(list == NULL);
    pv.fail = 0;

    /* the statement day: November's statements, each with its link */
    CHECK_OK(creditbook_book_statements_due(book, day(2026, 12, 5), AT, &list));
    CHECK(list->len == 2);
    if (list->len == 2) {
        const creditbook_statement *st = list->items[0];
        creditbook_statement_figures f;
        CHECK_OK(creditbook_statement_get_figures(st, &f));
        CHECK(f.period_from.month == 11 && f.period_to.day == 30 && f.closing_balance == 7000);
        creditbook_statement_payment_link link;
        CHECK_OK(creditbook_statement_get_payment_link(st, &link));
        CHECK(link.present && link.amount == 7000);
        CHECK_STR(link.url, "https://pay.example/A-1-statement-link-202611-70.00");
        char *text = NULL;
        CHECK_OK(creditbook_statement_render(st, CREDITBOOK_STATEMENT_FORMAT_TEXT, 80, &text));
        CHECK(text != NULL && strstr(text, "https://pay.example/A-1-statement-link") != NULL);
        creditbook_string_free(text);
        creditbook_message *m = NULL;
        CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &m));
        creditbook_message_free(m);
        /* B-2's customer has no email on file: the caller must give one */
        CHECK_RC(creditbook_book_compose_statement_email(book, list->items[1], NULL, &m),
                 CREDITBOOK_RESULT_MISSING_RECIPIENT);
    }
    creditbook_statement_list_free(list);
    CHECK(pv.calls == 3); /* the refused call, then one link per account */

    /* run again: the same links, the provider not asked again */
    CHECK_OK(creditbook_book_statements_due(book, day(2026, 12, 5), AT, &list));
    CHECK(list->len == 2 && pv.calls == 3);
    creditbook_statement_list_free(list);

    list = NULL;
    CHECK_RC(creditbook_book_statements_due(NULL, day(2026, 12, 5), AT, &list),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statements_due(book, day(2026, 12, 5), AT, NULL),
             CREDITBOOK_RESULT_NULL_PARAMETER);
    CHECK_RC(creditbook_book_statements_due(book, day(2026, 2, 30), AT, &list),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_statements_due(book, day(2026, 12, 5), INT64_MAX, &list),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(list == NULL);
    creditbook_statement_list_free(NULL);
    creditbook_book_free(book);
}

/* ---- what the clerk and the customer see ---- */

static char *render(const creditbook_statement *st, uint32_t format) {
    char *doc = NULL;
    CHECK_OK(creditbook_statement_render(st, format, 80, &doc));
    return doc;
}

static void test_what_the_clerk_and_the_customer_see(void) {
    mailer ml;
    provider pv;
    creditbook_mailer_callbacks m = mailer_callbacks(&ml);
    creditbook_payment_provider_callbacks p = provider_callbacks(&pv);
    creditbook_book *book = book_with(&m, &p);
    creditbook_customer c = customer("c-17", "Marie Tremblay");
    c.email = "marie@example.com";
    c.language = "fr";
    creditbook_operation op = op_by("open", utc(2026, 11, 1, 15, 0), "mgr",
                                    CREDITBOOK_PERMISSION_CREDIT_LIMIT);
    CHECK_OK(creditbook_book_open_account(book, "A-1", &op, &c, CREDITBOOK_LIMIT_KIND_AMOUNT, 50000,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));

    /* the host's own invoice number, unique within the account */
    creditbook_outcome out;
    op = op_at("c1", utc(2026, 11, 2, 15, 0));
    CHECK_OK(creditbook_book_charge_numbered(book, "A-1", &op, 12000, "S-1001", "F-0042", NULL, NULL,
                                             &out));
    const uint64_t invoice = out.invoice;
    op = op_at("c2", utc(2026, 11, 2, 15, 5));
    CHECK_RC(creditbook_book_charge_numbered(book, "A-1", &op, 100, NULL, "F-0042", NULL, NULL,
                                             &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    creditbook_message *msg = NULL;
    CHECK_OK(creditbook_book_compose_invoice_email(book, "A-1", invoice, NULL, &msg));
    creditbook_message_view v;
    CHECK_OK(creditbook_message_get_view(msg, &v));
    CHECK(strstr(v.subject, "F-0042") != NULL);
    creditbook_message_free(msg);

    /* a refusal in the clerk's language, amounts as the statement prints them */
    op = op_at("c3", utc(2026, 11, 2, 15, 10));
    CHECK_RC(creditbook_book_charge(book, "A-1", &op, 40000, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_CREDIT_LIMIT_EXCEEDED);
    char *text = NULL;
    CHECK_OK(creditbook_book_last_error_localized(book, "fr", &text));
    CHECK_STR(text, "Limite de crédit dépassée : 380,00\u00a0$ disponible, 400,00\u00a0$ demandé.");
    creditbook_string_free(text);
    CHECK_OK(creditbook_book_last_error_localized(book, "en", &text));
    CHECK_STR(text, "Credit limit exceeded: $380.00 available, $400.00 requested.");
    creditbook_string_free(text);
    CHECK(book_error_contains(book, "credit limit exceeded: 380.00 available")); /* logs: English */
    CHECK_RC(creditbook_book_last_error_localized(book, "it", &text),
             CREDITBOOK_RESULT_LANGUAGE_NOT_OFFERED);
    CHECK_RC(creditbook_book_last_error_localized(book, NULL, &text),
             CREDITBOOK_RESULT_NULL_PARAMETER);

    /* the statement: French words, the link's expiry in the store's time */
    creditbook_statement_request req;
    memset(&req, 0, sizeof req);
    req.from = day(2026, 11, 1);
    req.to = day(2026, 11, 30);
    creditbook_statement *st = NULL;
    /* made 04:30 UTC on December 1st: 23:30 on November 30 in Montreal; valid 30 days */
    op = op_at("link", utc(2026, 12, 1, 4, 30));
    CHECK_OK(creditbook_book_statement_with_link(book, "A-1", &req, &op, 1, &st));
    char *doc = render(st, CREDITBOOK_STATEMENT_FORMAT_TEXT);
    CHECK(strstr(doc, "Ancienneté du solde") != NULL);
    CHECK(strstr(doc, "du 1er novembre 2026") != NULL);
    CHECK(strstr(doc, "Relevé nº") != NULL);
    CHECK(strstr(doc, "30 décembre 2026 23:30") != NULL);
    CHECK(strstr(doc, "UTC") == NULL);
    CHECK(strstr(doc, "F-0042") != NULL && strstr(doc, "S-1001") != NULL);
    creditbook_string_free(doc);
    doc = render(st, CREDITBOOK_STATEMENT_FORMAT_UBL);
    CHECK(strstr(doc, "<cbc:ExpiryTime>23:30:00-05:00</cbc:ExpiryTime>") != NULL);
    creditbook_string_free(doc);

    /* a corrected statement is sent again; the same one once; Message-ID in the store's domain */
    creditbook_message *first = NULL, *again = NULL, *corrected = NULL;
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &first));
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &again));
    bool already = false;
    CHECK_OK(creditbook_book_send(book, first, AT, NULL, &already));
    CHECK(!already);
    CHECK_OK(creditbook_book_send(book, again, AT, NULL, &already));
    CHECK(already && ml.sent == 1);
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(creditbook_message_to_rfc5322(first, AT, &bytes, &len));
    char *header = malloc(len + 1);
    memcpy(header, bytes, len);
    header[len] = '\0';
    CHECK(strstr(header, "@lapointe.example>") != NULL);
    free(header);
    creditbook_bytes_free(bytes, len);
    creditbook_statement_free(st);
    int64_t amount_due = 5000;
    req.amount_due = &amount_due;
    CHECK_OK(creditbook_book_statement(book, "A-1", &req, &st));
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &corrected));
    CHECK_OK(creditbook_book_send(book, corrected, AT, NULL, &already));
    CHECK(!already && ml.sent == 2);
    creditbook_message *other = NULL;
    CHECK_OK(creditbook_book_compose_statement_email(book, st, "comptable@example.com", &other));
    CHECK_OK(creditbook_book_send(book, other, AT, NULL, &already));
    CHECK(!already && ml.sent == 3);
    CHECK_STR(ml.to, "comptable@example.com");
    creditbook_message_free(first);
    creditbook_message_free(again);
    creditbook_message_free(corrected);
    creditbook_message_free(other);
    creditbook_statement_free(st);

    /* money received is never refused: a deposit request expires, its late payment is a deposit */
    creditbook_payment_link *link = NULL;
    const int64_t made = utc(2026, 11, 3, 15, 0);
    op = op_at("dep-1", made);
    CHECK_OK(creditbook_book_payment_link(book, "A-1", &op, 3000, CREDITBOOK_LINK_PURPOSE_DEPOSIT,
                                          "S-9", &link));
    const int64_t expiry = made + 14 * DAY_SECONDS;
    CHECK(link->expires_at == expiry);
    creditbook_link_status status = CREDITBOOK_LINK_STATUS_PAID;
    CHECK_OK(creditbook_book_payment_link_status(book, "A-1", link->reference, expiry - 60, &status));
    CHECK(status == CREDITBOOK_LINK_STATUS_PENDING);
    CHECK_OK(creditbook_book_payment_link_status(book, "A-1", link->reference, expiry, &status));
    CHECK(status == CREDITBOOK_LINK_STATUS_EXPIRED);
    CHECK_RC(creditbook_book_payment_link_status(book, "A-1", "A-1-nope", expiry, &status),
             CREDITBOOK_RESULT_UNKNOWN_PAYMENT_LINK);
    {
        /* the activity says so too, at the end of the last day shown */
        creditbook_activity *links = NULL;
        uint32_t link_kind = CREDITBOOK_ENTRY_TYPE_PAYMENT_LINK_CREATED;
        CHECK_OK(creditbook_book_activity(book, "A-1", day(2026, 11, 1), day(2026, 12, 31), &link_kind,
                                          1, &links));
        CHECK(links->len >= 1);
        const creditbook_activity_line *last = &links->items[links->len - 1];
        CHECK(last->has_link_status && last->link_status == CREDITBOOK_LINK_STATUS_EXPIRED);
        creditbook_activity_free(links);
    }
    creditbook_confirmation conf;
    memset(&conf, 0, sizeof conf);
    CHECK_OK(creditbook_book_confirm_online_payment(book, "A-1", "pp_late", 2500, expiry + 3600,
                                                    link->reference, &conf));
    CHECK(!conf.outcome.replayed && conf.outcome.credit_change == 2500);
    creditbook_activity *a = NULL;
    uint32_t kind = CREDITBOOK_ENTRY_TYPE_DEPOSIT;
    CHECK_OK(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 12, 31), &kind, 1, &a));
    CHECK(a->len == 1);
    CHECK(a->items[0].unusual ==
          (CREDITBOOK_UNUSUAL_AMOUNT_DIFFERS | CREDITBOOK_UNUSUAL_LINK_EXPIRED));
    creditbook_activity_free(a);
    kind = CREDITBOOK_ENTRY_TYPE_CHARGE;
    CHECK_OK(creditbook_book_activity(book, "A-1", day(2026, 1, 1), day(2026, 12, 31), &kind, 1, &a));
    CHECK(a->len == 1 && a->items[0].invoice_number != NULL);
    CHECK_STR(a->items[0].invoice_number, "F-0042");
    creditbook_activity_free(a);
    creditbook_payment_link_free(link);
    creditbook_book_free(book);
}

void test_outreach(void) {
    test_what_the_clerk_and_the_customer_see();
    test_message_settings();
    test_ports_are_checked();
    test_statement_emailed_and_paid();
    test_payment_links();
    test_failed_send_is_recorded_and_retried();
    test_compose_refusals();
    test_statement_with_link_refusals();
    test_confirmation_refusals();
    test_reminders();
    test_statement_schedule();
}
