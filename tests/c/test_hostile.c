/* Hostile input through the C API only, as core/tests/hostile.rs does through the Book: markup,
 * formulas and bidirectional controls typed into names, addresses, references and reasons stay
 * text in every statement format and message; control characters in every header value the C API
 * takes are refused before anything is sent; amounts at the limits of int64_t give typed errors
 * or exact figures, never PANIC; identifiers of a megabyte are refused and record nothing. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"

#define SCRIPT "<script>alert(1)</script>"
#define CDATA_END "]]><x/>"
#define FORMULA "=HYPERLINK(\"http://evil.example\",\"pay here\")"
#define RLO "\xe2\x80\xae" /* U+202E RIGHT-TO-LEFT OVERRIDE */
#define LRI "\xe2\x81\xa6" /* U+2066 LEFT-TO-RIGHT ISOLATE */
/* The bidirectional controls the core keeps out of plain text (statement/text.rs): marks,
 * embeddings, overrides and isolates, which reorder what follows them when displayed. */
static const char *const BIDI[] = {
    "\xd8\x9c",     /* U+061C */
    "\xe2\x80\x8e", /* U+200E */
    "\xe2\x80\x8f", /* U+200F */
    "\xe2\x80\xaa", /* U+202A */
    "\xe2\x80\xab", /* U+202B */
    "\xe2\x80\xac", /* U+202C */
    "\xe2\x80\xad", /* U+202D */
    RLO,            /* U+202E */
    LRI,            /* U+2066 */
    "\xe2\x81\xa7", /* U+2067 */
    "\xe2\x81\xa8", /* U+2068 */
    "\xe2\x81\xa9", /* U+2069 */
};
#define BIDI_COUNT (sizeof BIDI / sizeof BIDI[0])
#define ALL_BIDI                                                                                  \
    "\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad" RLO LRI      \
    "\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"
#define HOSTILE_NAME SCRIPT " " FORMULA " " CDATA_END " " RLO "gnp.exe" LRI
#define IMG "'\"><img src=x onerror=alert(1)>"
#define AT utc(2026, 3, 2, 12, 0)
#define MANAGER                                                                                  \
    (CREDITBOOK_PERMISSION_ADJUST_BALANCE | CREDITBOOK_PERMISSION_CREDIT_ACCOUNT_REFUND |          \
     CREDITBOOK_PERMISSION_CREDIT_LIMIT)
#define SENTINEL 0x5A
/* The largest amount creditbook takes, 10^15 in major units: 10^17 cents. */
#define LARGEST INT64_C(100000000000000000)

/* ---- a mailer that records what it is given ---- */

typedef struct outbox {
    int sent;
    char from[128];
    char to[128];
} outbox;

static int32_t outbox_send(void *user_data, const creditbook_message_view *m,
                           creditbook_string_sink *delivery_id) {
    outbox *box = (outbox *)user_data;
    box->sent++;
    snprintf(box->from, sizeof box->from, "%s", m->from ? m->from : "(null)");
    snprintf(box->to, sizeof box->to, "%s", m->to_count ? m->to[0] : "(null)");
    return creditbook_string_sink_set(delivery_id, "d-1", 3) == CREDITBOOK_RESULT_OK
               ? CREDITBOOK_PORT_OK
               : -1;
}

/* ---- helpers ---- */

static creditbook_operation manager_op(const char *op_id) {
    return op_by(op_id, AT, "mgr-1", MANAGER);
}

/* True when `text` holds a bidirectional control. */
static int has_bidi(const char *text) {
    for (size_t i = 0; i < BIDI_COUNT; i++)
        if (strstr(text, BIDI[i]) != NULL) {
            fprintf(stderr, "  a bidirectional control (%zu of the list) is in the output\n", i);
            return 1;
        }
    return 0;
}

/* True when `text` holds no raw tag of the payloads: escaped, their `<` is `&lt;`. */
static int no_markup(const char *what, const char *text) {
    static const char *const raw[] = {"<script", "<img", "<x/>", "]]>"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        if (strstr(text, raw[i]) != NULL) {
            fprintf(stderr, "  %s: raw \"%s\" in the output\n", what, raw[i]);
            return 0;
        }
    return 1;
}

/* True when every line of `text` is at most `width` characters (UTF-8 code points). */
static int lines_within(const char *text, size_t width) {
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\n') {
            chars = 0;
        } else if ((*p & 0xC0) != 0x80 && ++chars > width) {
            fprintf(stderr, "  a line is longer than %zu characters\n", width);
            return 0;
        }
    }
    return 1;
}

/* The number of entries of an account (-1 when it cannot be read). */
static long entry_count(const creditbook_book *book, const char *account) {
    creditbook_activity *a = NULL;
    if (creditbook_book_activity(book, account, day(2000, 1, 1), day(2100, 12, 31), NULL, 0, &a) !=
        CREDITBOOK_RESULT_OK)
        return -1;
    long n = (long)a->len;
    creditbook_activity_free(a);
    return n;
}

/* The number of accounts of the book (-1 when the list cannot be read). */
static long account_count(const creditbook_book *book) {
    creditbook_accounts_query q = every_account(day(2026, 3, 2));
    creditbook_account_list *list = NULL;
    if (creditbook_book_accounts(book, &q, &list) != CREDITBOOK_RESULT_OK) return -1;
    long n = (long)list->len;
    creditbook_account_list_free(list);
    return n;
}

/* An account's balance owed on 2026-03-02; the summary's result goes to `rc`. */
static int64_t owed(const creditbook_book *book, const char *account, creditbook_result *rc) {
    creditbook_summary s;
    memset(&s, 0, sizeof s);
    *rc = creditbook_book_summary(book, account, day(2026, 3, 2), &s);
    return s.balance_owed;
}

/* True when all `n` bytes at `p` are the sentinel (an out-parameter left alone). */
static int untouched(const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != SENTINEL) return 0;
    return 1;
}

/* A read that gives the exact figures, or OVERFLOW without writing its out-parameter. */
#define CHECK_EXACT_OR_OVERFLOW(rc, out)                                                         \
    CHECK((rc) == CREDITBOOK_RESULT_OK ||                                                         \
          ((rc) == CREDITBOOK_RESULT_OVERFLOW && untouched(&(out), sizeof(out))))

/* A string of `n` copies of `c`, to release with free(). */
static char *repeat(char c, size_t n) {
    char *s = malloc(n + 1);
    if (s == NULL) abort();
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A book for a CAD store whose sender is comptes@lapointe.example, with `box` as its mailer. */
static creditbook_book *book_with_outbox(outbox *box, creditbook_settings **settings_out) {
    memset(box, 0, sizeof *box);
    creditbook_mailer_callbacks mailer = {box, outbox_send};
    creditbook_settings *s = NULL;
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_settings_new("Quincaillerie Lapointe", "CAD", "America/Montreal", &s));
    CHECK_OK(creditbook_settings_set_message_addresses(s, "comptes@lapointe.example", NULL));
    CHECK_OK(creditbook_book_new_with_ports(s, NULL, &mailer, NULL, &book));
    if (settings_out != NULL)
        *settings_out = s;
    else
        creditbook_settings_free(s);
    return book;
}

/* Account "H-1", opened and used with hostile text wherever a caller gives text: the customer's
 * name and address, sale and payment references, the reasons of an adjustment and a hold. */
static void hostile_account(creditbook_book *book) {
    const char *lines[] = {SCRIPT, CDATA_END, FORMULA};
    creditbook_customer c = customer("cust-h", HOSTILE_NAME);
    c.email = "eve@example.com";
    c.language = "en";
    c.address.lines = lines;
    c.address.line_count = 3;
    c.address.city = RLO "lasrever";
    c.address.region = IMG;
    c.address.postal_code = "@SUM(A1:A9)";
    c.address.country = "CA";
    creditbook_operation op = manager_op("h1");
    CHECK_OK(creditbook_book_open_account(book, "H-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_AMOUNT,
                                          500000, CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
    op = manager_op("h2");
    CHECK_OK(creditbook_book_charge(book, "H-1", &op, 12000, FORMULA, NULL, NULL, NULL));
    op = manager_op("h3");
    CHECK_OK(creditbook_book_charge(book, "H-1", &op, 8000, SCRIPT, NULL, NULL, NULL));
    op = manager_op("h4");
    CHECK_OK(creditbook_book_pay(book, "H-1", &op, 5000, NULL, 0, CDATA_END, NULL));
    op = manager_op("h5");
    CHECK_OK(creditbook_book_adjust(book, "H-1", &op, CREDITBOOK_DIRECTION_DEBIT, 100,
                                    HOSTILE_NAME " " ALL_BIDI, NULL));
    op = manager_op("h6");
    CHECK_OK(creditbook_book_deposit(book, "H-1", &op, 300, SCRIPT ALL_BIDI, NULL));
}

static creditbook_statement *march(const creditbook_book *book, const char *account) {
    creditbook_statement_request r;
    memset(&r, 0, sizeof r);
    r.from = day(2026, 3, 1);
    r.to = day(2026, 3, 31);
    creditbook_statement *st = NULL;
    CHECK_OK(creditbook_book_statement(book, account, &r, &st));
    return st;
}

/* Renders `st` as `format`; NULL (checked) when it fails. */
static char *render(const creditbook_statement *st, uint32_t format, size_t width) {
    char *doc = NULL;
    CHECK_OK(creditbook_statement_render(st, format, width, &doc));
    return doc;
}

/* Every format of `st` keeps the markup of the payloads escaped (HTML, UBL) and no bidirectional
 * control (HTML, text at every width, within its width). */
static void check_formats(const creditbook_statement *st, const char *what) {
    char *html = render(st, CREDITBOOK_STATEMENT_FORMAT_HTML, 0);
    if (html != NULL) {
        CHECK(no_markup(what, html));
        CHECK(!has_bidi(html));
    }
    creditbook_string_free(html);
    const size_t widths[] = {32, 40, 80, 160};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        char *text = render(st, CREDITBOOK_STATEMENT_FORMAT_TEXT, widths[i]);
        if (text != NULL) {
            CHECK(!has_bidi(text));
            CHECK(lines_within(text, widths[i]));
        }
        creditbook_string_free(text);
    }
    char *xml = render(st, CREDITBOOK_STATEMENT_FORMAT_UBL, 0);
    if (xml != NULL) CHECK(no_markup(what, xml));
    creditbook_string_free(xml);
}

/* ---- the tests ---- */

static void test_hostile_text_in_statements(void) {
    outbox box;
    creditbook_book *book = book_with_outbox(&box, NULL);
    hostile_account(book);
    creditbook_statement *st = march(book, "H-1");
    if (st == NULL) {
        creditbook_book_free(book);
        return;
    }
    check_formats(st, "hostile statement");

    char *html = render(st, CREDITBOOK_STATEMENT_FORMAT_HTML, 0);
    if (html != NULL) {
        CHECK(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
        CHECK(strstr(html, "gnp.exe") != NULL); /* the text is there, without its controls */
    }
    creditbook_string_free(html);
    /* Plain text is no markup: it prints what was typed, without the bidirectional controls. */
    char *text = render(st, CREDITBOOK_STATEMENT_FORMAT_TEXT, 80);
    if (text != NULL) CHECK(strstr(text, "gnp.exe") != NULL && strstr(text, RLO) == NULL);
    creditbook_string_free(text);
    char *xml = render(st, CREDITBOOK_STATEMENT_FORMAT_UBL, 0);
    if (xml != NULL) CHECK(strstr(xml, "]]&gt;&lt;x/&gt;") != NULL); /* escaped, not dropped */
    creditbook_string_free(xml);
    /* JSON keeps the text as text: the name reads back exactly as it was typed. */
    char *doc = render(st, CREDITBOOK_STATEMENT_FORMAT_JSON, 0);
    if (doc != NULL) {
        char error[128];
        json *j = json_parse(doc, error, sizeof error);
        CHECK(j != NULL);
        if (j != NULL) CHECK_STR(json_string(json_get(j, "customer"), "name"), HOSTILE_NAME);
        json_free(j);
    }
    creditbook_string_free(doc);
    CHECK_RC(creditbook_statement_render(st, 5, 80, &doc), CREDITBOOK_RESULT_INVALID_ENUM);

    /* The statement's and an invoice's emails: markup escaped in the HTML body and the HTML and
     * XML attachments, no override in the subject, no payload in the RFC 5322 header. */
    creditbook_message *messages[2] = {NULL, NULL};
    CHECK_OK(creditbook_book_compose_statement_email(book, st, NULL, &messages[0]));
    CHECK_OK(creditbook_book_compose_invoice_email(book, "H-1", 2, NULL, &messages[1]));
    for (size_t i = 0; i < 2; i++) {
        creditbook_message_view v;
        if (messages[i] == NULL ||
            creditbook_message_get_view(messages[i], &v) != CREDITBOOK_RESULT_OK) {
            CHECK(!"a message and its view");
            continue;
        }
        CHECK(no_markup("message html", v.html));
        CHECK(strstr(v.subject, RLO) == NULL);
        for (size_t k = 0; k < v.attachment_count; k++) {
            const creditbook_attachment_view *a = &v.attachments[k];
            size_t n = strlen(a->filename);
            if (strncmp(a->content_type, "text/html", 9) != 0 &&
                !(n > 4 && strcmp(a->filename + n - 4, ".xml") == 0))
                continue;
            char *content = malloc(a->content_len + 1);
            memcpy(content, a->content, a->content_len);
            content[a->content_len] = '\0';
            CHECK(no_markup(a->filename, content));
            free(content);
        }
        uint8_t *bytes = NULL;
        size_t len = 0;
        CHECK_OK(creditbook_message_to_rfc5322(messages[i], AT, &bytes, &len));
        char *head = malloc(len + 1);
        if (bytes != NULL) memcpy(head, bytes, len);
        head[bytes != NULL ? len : 0] = '\0';
        char *end = strstr(head, "\r\n\r\n");
        if (end != NULL) *end = '\0';
        CHECK(end != NULL && strstr(head, SCRIPT) == NULL && strstr(head, "Subject:") != NULL);
        free(head);
        creditbook_bytes_free(bytes, len);
    }
    CHECK_OK(creditbook_book_send(book, messages[0], AT, NULL, NULL));
    CHECK(box.sent == 1 && strcmp(box.to, "eve@example.com") == 0);
    creditbook_message_free(messages[0]);
    creditbook_message_free(messages[1]);
    creditbook_statement_free(st);
    creditbook_book_free(book);
}

static void test_ten_thousand_characters(void) {
    creditbook_settings *s = NULL;
    outbox box;
    creditbook_book *book = book_with_outbox(&box, &s);
    char *w = repeat('W', 10000);
    char *e_acute = malloc(10001); /* "é" 5,000 times: 10,000 bytes */
    for (size_t i = 0; i < 5000; i++) memcpy(e_acute + 2 * i, "\xc3\xa9", 2);
    e_acute[10000] = '\0';

    /* Where a caller types it: refused, nothing recorded. */
    creditbook_customer c = customer("cust-l", w);
    creditbook_operation op = manager_op("l1");
    creditbook_outcome out;
    memset(&out, SENTINEL, sizeof out);
    CHECK_RC(creditbook_book_open_account(book, "L-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(account_count(book) == 0);
    c.name = "Léa";
    op = manager_op("l2");
    CHECK_OK(creditbook_book_open_account(book, "L-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
    op = manager_op("l3");
    CHECK_OK(creditbook_book_charge(book, "L-1", &op, 500, NULL, NULL, NULL, NULL));
    long before = entry_count(book, "L-1");
    const char *values[] = {w, e_acute};
    for (size_t i = 0; i < 2; i++) {
        const char *v = values[i];
        op = manager_op("l4");
        CHECK_RC(creditbook_book_adjust(book, "L-1", &op, CREDITBOOK_DIRECTION_DEBIT, 100, v, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        CHECK_RC(creditbook_book_set_status(book, "L-1", &op, CREDITBOOK_STATUS_CHANGE_HOLD, v, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        CHECK_RC(creditbook_book_charge(book, "L-1", &op, 100, v, NULL, NULL, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        CHECK_RC(creditbook_book_pay(book, "L-1", &op, 100, NULL, 0, v, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        creditbook_customer moved = customer("cust-l", v);
        CHECK_RC(creditbook_book_update_contact(book, "L-1", &op, &moved, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        const char *lines[] = {v};
        moved = customer("cust-l", "Léa");
        moved.address.lines = lines;
        moved.address.line_count = 1;
        CHECK_RC(creditbook_book_update_contact(book, "L-1", &op, &moved, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
        moved.address.line_count = 0;
        moved.address.city = v;
        CHECK_RC(creditbook_book_update_contact(book, "L-1", &op, &moved, &out),
                 CREDITBOOK_RESULT_INVALID_INPUT);
    }
    CHECK(entry_count(book, "L-1") == before);
    CHECK(untouched(&out, sizeof out));

    /* Where the store gives it (the texts its statements print): taken, and every format still
     * renders it, text within its width, markup escaped, without bidirectional controls. */
    char *header = malloc(10000 + 64);
    snprintf(header, 10000 + 64, "%s%s%s%s", CDATA_END, SCRIPT, w, RLO);
    CHECK_OK(creditbook_settings_set_statement_texts(s, header, header));
    creditbook_book *long_book = NULL;
    CHECK_OK(creditbook_book_new(s, NULL, &long_book));
    if (long_book != NULL) {
        op = manager_op("l5");
        c.name = "Léa " RLO "x" LRI;
        CHECK_OK(creditbook_book_open_account(long_book, "L-2", granting(&op), &c,
                                              CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                              CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
        op = manager_op("l6");
        CHECK_OK(creditbook_book_charge(long_book, "L-2", &op, 500, SCRIPT, NULL, NULL, NULL));
        creditbook_statement *st = march(long_book, "L-2");
        if (st != NULL) {
            check_formats(st, "long statement");
            char *html = render(st, CREDITBOOK_STATEMENT_FORMAT_HTML, 0);
            if (html != NULL) CHECK(strstr(html, w) != NULL); /* printed whole */
            creditbook_string_free(html);
        }
        creditbook_statement_free(st);
    }
    creditbook_book_free(long_book);
    free(header);
    free(e_acute);
    free(w);
    creditbook_settings_free(s);
    creditbook_book_free(book);
}

/* Control characters (C strings cannot hold NUL: every other one, and the Unicode NEL) at the
 * end, at the start and inside a header value. */
static const char *const CONTROLS[] = {"\r", "\n", "\r\n", "\t", "\x1b[2J", "\xc2\x85", "\x7f",
                                       "\x01", "\r\nBcc: x@evil.example"};
#define CONTROL_COUNT (sizeof CONTROLS / sizeof CONTROLS[0])
static void test_control_characters_in_header_values(void) {
    creditbook_settings *s = NULL;
    outbox box;
    creditbook_book *book = book_with_outbox(&box, &s);
    creditbook_customer c = customer("cust-e", "Eve");
    c.email = "eve@example.com";
    creditbook_operation op = manager_op("e1");
    CHECK_OK(creditbook_book_open_account(book, "E-1", granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
    op = manager_op("e2");
    CHECK_OK(creditbook_book_charge(book, "E-1", &op, 1000, "S-1", NULL, NULL, NULL));
    creditbook_statement *st = march(book, "E-1");
    long before = entry_count(book, "E-1");

    char value[128];
    for (size_t i = 0; i < CONTROL_COUNT; i++) {
        const char *bad = CONTROLS[i];
        for (int where = 0; where < 3; where++) {
            if (where == 0) snprintf(value, sizeof value, "eve@example.com%s", bad);
            if (where == 1) snprintf(value, sizeof value, "%seve@example.com", bad);
            if (where == 2) snprintf(value, sizeof value, "eve%s@example.com", bad);
            creditbook_message *m;
            memset(&m, SENTINEL, sizeof m);
            CHECK_RC(creditbook_book_compose_statement_email(book, st, value, &m),
                     CREDITBOOK_RESULT_HEADER_INJECTION);
            CHECK_RC(creditbook_book_compose_invoice_email(book, "E-1", 2, value, &m),
                     CREDITBOOK_RESULT_HEADER_INJECTION);
            CHECK(untouched(&m, sizeof m));

            /* The store's sender and where its notices go: a control character anywhere is a
             * header injection. */
            snprintf(value, sizeof value, where == 0   ? "store@example.com%s"
                                          : where == 1 ? "%sstore@example.com"
                                                       : "store%s@example.com",
                     bad);
            creditbook_result from = creditbook_settings_set_message_addresses(s, value, NULL);
            creditbook_result notices = creditbook_settings_set_message_addresses(s, NULL, value);
            /* Regression: around the address these were taken, and every email of the store
             * then failed. */
            CHECK_RC(from, CREDITBOOK_RESULT_HEADER_INJECTION);
            CHECK_RC(notices, CREDITBOOK_RESULT_HEADER_INJECTION);
        }
    }
    CHECK(box.sent == 0); /* nothing was sent */
    CHECK(entry_count(book, "E-1") == before);

    /* The refused setters changed nothing: a book made now sends from the first address. */
    creditbook_mailer_callbacks mailer = {&box, outbox_send};
    creditbook_book *later = NULL;
    CHECK_OK(creditbook_book_new_with_ports(s, NULL, &mailer, NULL, &later));
    if (later != NULL) {
        op = manager_op("e3");
        CHECK_OK(creditbook_book_open_account(later, "E-2", granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED,
                                              0, CREDITBOOK_TERMS_KIND_STORE, 0, NULL));
        op = manager_op("e4");
        CHECK_OK(creditbook_book_charge(later, "E-2", &op, 1000, "S-1", NULL, NULL, NULL));
        creditbook_message *m = NULL;
        CHECK_OK(creditbook_book_compose_invoice_email(later, "E-2", 2, NULL, &m));
        CHECK_OK(creditbook_book_send(later, m, AT, NULL, NULL));
        CHECK(box.sent == 1);
        CHECK_STR(box.from, "comptes@lapointe.example");
        creditbook_message_free(m);
    }
    creditbook_book_free(later);
    creditbook_statement_free(st);
    creditbook_settings_free(s);
    creditbook_book_free(book);
}

static void test_amounts_at_the_limits(void) {
    char *text = NULL;
    CHECK_OK(creditbook_amount_to_string(INT64_MAX, "CAD", &text));
    CHECK_STR(text, "92233720368547758.07");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(INT64_MAX - 1, "CAD", &text));
    CHECK_STR(text, "92233720368547758.06");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(INT64_MIN, "CAD", &text));
    CHECK_STR(text, "-92233720368547758.08");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(INT64_MIN, "JPY", &text));
    CHECK_STR(text, "-9223372036854775808");
    creditbook_string_free(text);
    CHECK_OK(creditbook_amount_to_string(INT64_MAX - 1, "KWD", &text));
    CHECK_STR(text, "9223372036854775.806");
    creditbook_string_free(text);

    creditbook_book *book = new_book(NULL);
    open_account(book, "M-1", -1); /* unlimited */
    open_account(book, "M-2", -1);
    creditbook_result rc;
    long before = entry_count(book, "M-1");
    const int64_t amounts[] = {INT64_MAX, INT64_MAX - 1, INT64_MIN, INT64_MAX / 2 + 1};
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        int64_t a = amounts[i];
        /* above the largest amount: OVERFLOW; not above zero: AMOUNT_NOT_POSITIVE */
        creditbook_result want =
            a > 0 ? CREDITBOOK_RESULT_OVERFLOW : CREDITBOOK_RESULT_AMOUNT_NOT_POSITIVE;
        creditbook_operation op = manager_op("m-limit");
        creditbook_outcome out;
        memset(&out, SENTINEL, sizeof out);
        CHECK_RC(creditbook_book_charge(book, "M-1", &op, a, NULL, NULL, NULL, &out), want);
        /* twice: the second is refused like the first, nothing was added */
        CHECK_RC(creditbook_book_charge(book, "M-1", &op, a, NULL, NULL, NULL, &out), want);
        CHECK_RC(creditbook_book_pay(book, "M-1", &op, a, NULL, 0, NULL, &out), want);
        CHECK_RC(creditbook_book_deposit(book, "M-1", &op, a, NULL, &out), want);
        CHECK_RC(creditbook_book_adjust(book, "M-1", &op, CREDITBOOK_DIRECTION_DEBIT, a, "x", &out),
                 want);
        CHECK_RC(creditbook_book_adjust(book, "M-1", &op, CREDITBOOK_DIRECTION_CREDIT, a, "x", &out),
                 want);
        CHECK(untouched(&out, sizeof out));
        int64_t max;
        memset(&max, SENTINEL, sizeof max);
        rc = creditbook_book_max_charge(book, "M-1", a, AT, &max);
        if (a > 0)
            CHECK(rc == CREDITBOOK_RESULT_OVERFLOW ? untouched(&max, sizeof max)
                                                   : rc == CREDITBOOK_RESULT_OK && max == a);
        else
            CHECK_RC(rc, CREDITBOOK_RESULT_AMOUNT_NEGATIVE);
    }
    CHECK(entry_count(book, "M-1") == before);
    CHECK(owed(book, "M-1", &rc) == 0 && rc == CREDITBOOK_RESULT_OK);

    /* The largest amount is taken; one cent more, in one amount or on the balance, is refused:
     * no balance passes the largest amount, so every figure fits an int64_t. */
    creditbook_operation op = manager_op("m1");
    CHECK_OK(creditbook_book_charge(book, "M-1", &op, LARGEST, NULL, NULL, NULL, NULL));
    op = manager_op("m2");
    CHECK_RC(creditbook_book_charge(book, "M-1", &op, LARGEST + 1, NULL, NULL, NULL, NULL),
             CREDITBOOK_RESULT_OVERFLOW);
    CHECK_RC(creditbook_book_charge(book, "M-1", &op, 1, NULL, NULL, NULL, NULL),
             CREDITBOOK_RESULT_OVERFLOW);
    CHECK(owed(book, "M-1", &rc) == LARGEST && rc == CREDITBOOK_RESULT_OK);

    /* Toward what int64_t minor units hold (92 233 720 368 547 758.07): each charge is taken or
     * refused with a typed error leaving the balance as it was (the cap refuses the first), and
     * the balance reads back exactly or as OVERFLOW, never wrapped. */
    int64_t charged = 1; /* largest amounts on the account */
    for (int i = 0; i < 95; i++) {
        char id[32];
        snprintf(id, sizeof id, "m-sum-%d", i);
        op = manager_op(id);
        creditbook_outcome out;
        memset(&out, SENTINEL, sizeof out);
        rc = creditbook_book_charge(book, "M-1", &op, LARGEST, NULL, NULL, NULL, &out);
        CHECK(rc == CREDITBOOK_RESULT_OK || rc == CREDITBOOK_RESULT_OVERFLOW);
        if (rc == CREDITBOOK_RESULT_OK) {
            charged++;
            CHECK(out.owed_change == LARGEST);
        } else {
            CHECK(untouched(&out, sizeof out));
        }
        creditbook_result read;
        int64_t balance = owed(book, "M-1", &read);
        if (charged <= INT64_MAX / LARGEST)
            CHECK(read == CREDITBOOK_RESULT_OK && balance == charged * LARGEST);
        else
            CHECK_RC(read, CREDITBOOK_RESULT_OVERFLOW);
        if (rc != CREDITBOOK_RESULT_OK) break;
    }
    /* Whatever the account holds, its reads are typed: exact figures or OVERFLOW, and a failed
     * read writes nothing. */
    creditbook_summary summary;
    memset(&summary, SENTINEL, sizeof summary);
    rc = creditbook_book_summary(book, "M-1", day(2026, 3, 2), &summary);
    CHECK_EXACT_OR_OVERFLOW(rc, summary);
    creditbook_accounts_query q = every_account(day(2026, 3, 2));
    creditbook_account_list *list;
    memset(&list, SENTINEL, sizeof list);
    rc = creditbook_book_accounts(book, &q, &list);
    CHECK_EXACT_OR_OVERFLOW(rc, list);
    if (rc == CREDITBOOK_RESULT_OK) creditbook_account_list_free(list);
    creditbook_aging *aging;
    memset(&aging, SENTINEL, sizeof aging);
    rc = creditbook_book_aging(book, "M-1", day(2026, 3, 2), &aging);
    CHECK_EXACT_OR_OVERFLOW(rc, aging);
    if (rc == CREDITBOOK_RESULT_OK) creditbook_aging_free(aging);
    creditbook_statement *st = march(book, "M-1");
    if (st != NULL) {
        creditbook_statement_figures figures;
        memset(&figures, SENTINEL, sizeof figures);
        rc = creditbook_statement_get_figures(st, &figures);
        CHECK_EXACT_OR_OVERFLOW(rc, figures);
        for (uint32_t f = CREDITBOOK_STATEMENT_FORMAT_HTML; f <= CREDITBOOK_STATEMENT_FORMAT_JSON;
             f++) {
            char *doc;
            memset(&doc, SENTINEL, sizeof doc);
            rc = creditbook_statement_render(st, f, 80, &doc);
            CHECK_EXACT_OR_OVERFLOW(rc, doc);
            if (rc == CREDITBOOK_RESULT_OK) creditbook_string_free(doc);
        }
    }
    creditbook_statement_free(st);
    /* Another account is not affected. */
    CHECK(owed(book, "M-2", &rc) == 0 && rc == CREDITBOOK_RESULT_OK);
    creditbook_book_free(book);
}

static void test_megabyte_identifiers(void) {
    outbox box;
    creditbook_book *book = book_with_outbox(&box, NULL);
    open_account(book, "H-1", -1);
    creditbook_operation op = manager_op("i0");
    CHECK_OK(creditbook_book_charge(book, "H-1", &op, 1000, "S-1", NULL, NULL, NULL));
    long entries = entry_count(book, "H-1");
    long accounts = account_count(book);
    char *huge = repeat('x', (size_t)1 << 20);
    creditbook_outcome out;
    memset(&out, SENTINEL, sizeof out);

    op = manager_op("i1");
    CHECK_RC(creditbook_book_charge(book, huge, &op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    creditbook_customer c = customer("cust-x", "Huge");
    CHECK_RC(creditbook_book_open_account(book, huge, granting(&op), &c, CREDITBOOK_LIMIT_KIND_UNLIMITED, 0,
                                          CREDITBOOK_TERMS_KIND_STORE, 0, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    creditbook_operation huge_op = manager_op("unused");
    huge_op.op_id = huge;
    CHECK_RC(creditbook_book_charge(book, "H-1", &huge_op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    huge_op = op_by("i2", AT, huge, 0);
    CHECK_RC(creditbook_book_charge(book, "H-1", &huge_op, 100, NULL, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT); /* the acting employee's id */
    CHECK_RC(creditbook_book_charge(book, "H-1", &op, 100, huge, NULL, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_deposit(book, "H-1", &op, 100, huge, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_pay(book, "H-1", &op, 100, NULL, 0, huge, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK_RC(creditbook_book_refund_to_credit(book, "H-1", &op, 100, huge, NULL, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    c.id = huge;
    CHECK_RC(creditbook_book_update_contact(book, "H-1", &op, &c, &out),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(untouched(&out, sizeof out));
    creditbook_confirmation confirmation;
    memset(&confirmation, SENTINEL, sizeof confirmation);
    CHECK_RC(
        creditbook_book_confirm_online_payment(book, "H-1", huge, 100, AT, NULL, &confirmation),
        CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(untouched(&confirmation, sizeof confirmation));

    /* Reads of a megabyte id find nothing; a recipient of a megabyte is no address. */
    creditbook_summary summary;
    memset(&summary, SENTINEL, sizeof summary);
    CHECK_RC(creditbook_book_summary(book, huge, day(2026, 3, 2), &summary),
             CREDITBOOK_RESULT_INVALID_INPUT);
    CHECK(untouched(&summary, sizeof summary));
    creditbook_message *m;
    memset(&m, SENTINEL, sizeof m);
    CHECK_RC(creditbook_book_compose_invoice_email(book, "H-1", 2, huge, &m),
             CREDITBOOK_RESULT_INVALID_EMAIL);
    CHECK(untouched(&m, sizeof m));

    CHECK(entry_count(book, "H-1") == entries); /* nothing recorded */
    CHECK(account_count(book) == accounts);
    CHECK(box.sent == 0);
    free(huge);
    creditbook_book_free(book);
}

void test_hostile(void) {
    test_hostile_text_in_statements();
    test_ten_thousand_characters();
    test_control_characters_in_header_values();
    test_amounts_at_the_limits();
    test_megabyte_identifiers();
}
