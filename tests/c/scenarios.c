/* The shared scenario vectors (tests/scenarios/README.md) run through the C API. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"

typedef struct runner {
    const char *where;
    const char *currency;
    creditbook_book *book;
    const json *args;
    int bad; /* the step's arguments were not understood */
} runner;

static void complain(runner *r, const char *what, const char *detail) {
    fprintf(stderr, "%s: %s %s\n", r->where, what, detail ? detail : "");
    r->bad = 1;
}

static const char *arg(runner *r, const char *key) {
    const char *v = json_string(r->args, key);
    if (v == NULL) complain(r, "missing arg", key);
    return v != NULL ? v : "";
}

static const char *opt(runner *r, const char *key) { return json_string(r->args, key); }

static int64_t amount(runner *r, const char *text) {
    int64_t minor = 0;
    if (creditbook_amount_parse(text, r->currency, &minor) != CREDITBOOK_RESULT_OK)
        complain(r, "bad amount", text);
    return minor;
}

static int64_t instant(runner *r, const char *text) {
    int y;
    unsigned mo, d, h, mi, s;
    char z;
    if (sscanf(text, "%d-%u-%uT%u:%u:%u%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z')
        complain(r, "bad instant", text);
    return utc(y, mo, d, h, mi) + s;
}

static creditbook_date date(runner *r, const char *text) {
    creditbook_date out = {0, 0, 0};
    if (sscanf(text, "%d-%u-%u", &out.year, &out.month, &out.day) != 3) complain(r, "bad date", text);
    return out;
}

/* Integers of a comma-separated list; returns how many (at most `cap`). */
static size_t ids(const char *text, uint64_t *out, size_t cap) {
    size_t n = 0;
    while (text != NULL && *text && n < cap) {
        char *end;
        out[n++] = strtoull(text, &end, 10);
        text = *end == ',' ? end + 1 : end;
        if (end == text && *end) break;
    }
    return n;
}

static const char *const PERMISSIONS[] = {"credit_limit", "credit_account_refund",
                                          "override_credit_limit", "adjust_balance",
                                          "automated_ar", "archive_account"};

static uint32_t permission_bits(runner *r, const char *text) {
    uint32_t bits = 0;
    while (text != NULL && *text) {
        size_t len = strcspn(text, ",");
        size_t i = 0;
        while (i < 6 && !(strlen(PERMISSIONS[i]) == len && strncmp(PERMISSIONS[i], text, len) == 0)) i++;
        if (i == 6) complain(r, "unknown permission", text);
        else bits |= 1u << i; /* CREDITBOOK_PERMISSION_* in the header's order */
        text += len + (text[len] == ',');
    }
    return bits;
}

static void terms(runner *r, const char *text, uint32_t *kind, uint32_t *days) {
    *days = 0;
    if (strcmp(text, "store") == 0) *kind = CREDITBOOK_TERMS_KIND_STORE;
    else if (strcmp(text, "due_on_receipt") == 0) *kind = CREDITBOOK_TERMS_KIND_DUE_ON_RECEIPT;
    else if (sscanf(text, "net:%u", days) == 1) *kind = CREDITBOOK_TERMS_KIND_NET;
    else if (sscanf(text, "eom:%u", days) == 1) *kind = CREDITBOOK_TERMS_KIND_END_OF_MONTH_PLUS;
    else complain(r, "bad terms", text);
}

static void limit(runner *r, uint32_t *kind, int64_t *amount_out) {
    const char *text = opt(r, "credit_limit");
    if (text == NULL) { /* none named: the store's default */
        *kind = CREDITBOOK_LIMIT_KIND_STORE_DEFAULT;
        *amount_out = 0;
        return;
    }
    *kind = strcmp(text, "unlimited") == 0 ? CREDITBOOK_LIMIT_KIND_UNLIMITED : CREDITBOOK_LIMIT_KIND_AMOUNT;
    *amount_out = *kind == CREDITBOOK_LIMIT_KIND_UNLIMITED ? 0 : amount(r, text);
}

/* The figures a step produced: names and values, compared with the expected ones. */
typedef struct figures {
    size_t len;
    char names[16][32];
    char values[16][64];
    int is_amount[16]; /* values of amounts are minor units */
} figures;

static void put(figures *f, const char *name, const char *value, int is_amount) {
    if (f->len == 16) return;
    snprintf(f->names[f->len], sizeof f->names[0], "%s", name);
    snprintf(f->values[f->len], sizeof f->values[0], "%s", value);
    f->is_amount[f->len++] = is_amount;
}

static void put_text(figures *f, const char *name, const char *value) { put(f, name, value, 0); }

static void put_int(figures *f, const char *name, long long value) {
    char text[32];
    snprintf(text, sizeof text, "%lld", value);
    put_text(f, name, text);
}

static void put_amount(figures *f, const char *name, int64_t minor) {
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)minor);
    put(f, name, text, 1);
}

static void put_date(figures *f, const char *name, creditbook_date d) {
    char text[32];
    snprintf(text, sizeof text, "%04d-%02u-%02u", d.year, d.month, d.day);
    put_text(f, name, text);
}

static const char *const OPERATIONS[] = {
    "open_account", "update_contact", "set_credit_limit", "set_terms", "hold", "release", "archive",
    "reactivate", "charge", "pay", "deposit", "use_credit", "apply_credit", "refund_to_credit",
    "refund_credit", "reverse", "adjust", "write_off"};

static int is(const char *op, const char *name) { return strcmp(op, name) == 0; }

/* Runs an operation; its outcome's figures go to `f`. */
static creditbook_result operation(runner *r, const char *op, figures *f) {
    const char *account = arg(r, "account");
    creditbook_operation envelope = op_by(arg(r, "op_id"), instant(r, arg(r, "at")), opt(r, "actor"),
                                          permission_bits(r, opt(r, "permissions")));
    creditbook_outcome out;
    creditbook_result rc = CREDITBOOK_RESULT_OK;
    creditbook_book *b = r->book;
    uint64_t invoices[16];
    uint32_t kind, days;
    int64_t money, limit_amount;
    if (is(op, "open_account") || is(op, "update_contact")) {
        creditbook_customer c = customer(arg(r, "customer_id"), arg(r, "customer_name"));
        c.email = opt(r, "email");
        if (is(op, "update_contact")) {
            rc = creditbook_book_update_contact(b, account, &envelope, &c, &out);
        } else {
            limit(r, &kind, &limit_amount);
            uint32_t tk;
            terms(r, opt(r, "terms") ? opt(r, "terms") : "store", &tk, &days);
            if (!r->bad)
                rc = creditbook_book_open_account(b, account, &envelope, &c, kind, limit_amount, tk, days, &out);
        }
    } else if (is(op, "set_credit_limit")) {
        limit(r, &kind, &limit_amount);
        rc = creditbook_book_set_credit_limit(b, account, &envelope, kind, limit_amount, &out);
    } else if (is(op, "set_terms")) {
        terms(r, arg(r, "terms"), &kind, &days);
        rc = creditbook_book_set_terms(b, account, &envelope, kind, days, &out);
    } else if (is(op, "hold") || is(op, "release") || is(op, "archive") || is(op, "reactivate")) {
        uint32_t change = is(op, "hold") ? CREDITBOOK_STATUS_CHANGE_HOLD
                        : is(op, "release") ? CREDITBOOK_STATUS_CHANGE_RELEASE
                        : is(op, "archive") ? CREDITBOOK_STATUS_CHANGE_ARCHIVE
                        : CREDITBOOK_STATUS_CHANGE_REACTIVATE;
        rc = creditbook_book_set_status(b, account, &envelope, change, opt(r, "reason"), &out);
    } else if (is(op, "charge")) {
        creditbook_date due;
        const char *due_text = opt(r, "due_date");
        if (due_text) due = date(r, due_text);
        rc = creditbook_book_charge(b, account, &envelope, amount(r, arg(r, "amount")), opt(r, "sale"),
                                    due_text ? &due : NULL, opt(r, "override_reason"), &out);
    } else if (is(op, "pay")) {
        size_t n = ids(opt(r, "invoices"), invoices, 16);
        rc = creditbook_book_pay(b, account, &envelope, amount(r, arg(r, "amount")), invoices, n,
                                 opt(r, "reference"), &out);
    } else if (is(op, "deposit")) {
        rc = creditbook_book_deposit(b, account, &envelope, amount(r, arg(r, "amount")),
                                     opt(r, "reference"), &out);
    } else if (is(op, "use_credit")) {
        rc = creditbook_book_use_credit(b, account, &envelope, amount(r, arg(r, "amount")),
                                        opt(r, "sale"), &out);
    } else if (is(op, "apply_credit")) {
        size_t n = ids(opt(r, "invoices"), invoices, 16);
        rc = creditbook_book_apply_credit(b, account, &envelope, amount(r, arg(r, "amount")), invoices,
                                          n, &out);
    } else if (is(op, "refund_to_credit")) {
        const char *total_text = opt(r, "sale_total");
        int64_t total = total_text ? amount(r, total_text) : 0;
        rc = creditbook_book_refund_to_credit(b, account, &envelope, amount(r, arg(r, "amount")),
                                              opt(r, "sale"), total_text ? &total : NULL, &out);
    } else if (is(op, "refund_credit")) {
        rc = creditbook_book_refund_credit(b, account, &envelope, amount(r, arg(r, "amount")),
                                           opt(r, "method"), &out);
    } else if (is(op, "reverse")) {
        rc = creditbook_book_reverse(b, account, &envelope, strtoull(arg(r, "entry"), NULL, 10),
                                     arg(r, "reason"), &out);
    } else if (is(op, "adjust")) {
        const char *d = arg(r, "direction");
        uint32_t direction = is(d, "debit") ? CREDITBOOK_DIRECTION_DEBIT : CREDITBOOK_DIRECTION_CREDIT;
        if (!is(d, "debit") && !is(d, "credit")) complain(r, "bad direction", d);
        rc = creditbook_book_adjust(b, account, &envelope, direction, amount(r, arg(r, "amount")),
                                    arg(r, "reason"), &out);
    } else {
        const char *part_text = opt(r, "amount");
        money = part_text ? amount(r, part_text) : 0;
        rc = creditbook_book_write_off(b, account, &envelope, strtoull(arg(r, "invoice"), NULL, 10),
                                       part_text ? &money : NULL, arg(r, "reason"), &out);
    }
    if (rc != CREDITBOOK_RESULT_OK) return rc;
    put_int(f, "first_entry", (long long)out.first_entry);
    put_int(f, "entries", (long long)out.entry_count);
    put_text(f, "replayed", out.replayed ? "true" : "false");
    if (out.invoice == 0) {
        put_text(f, "invoice", "none");
        put_text(f, "due_date", "none");
    } else {
        put_int(f, "invoice", (long long)out.invoice);
        put_date(f, "due_date", out.due_date);
    }
    put_amount(f, "owed_change", out.owed_change);
    put_amount(f, "credit_change", out.credit_change);
    put_amount(f, "allocated", out.allocated);
    return rc;
}

static const char *const STATUS[] = {"active", "on_hold", "archived"};
static const char *const STANDING[] = {"settled", "outstanding", "overdue"};

/* Runs a query; its figures go to `f`. */
static creditbook_result query(runner *r, const char *op, figures *f) {
    const char *account = arg(r, "account");
    creditbook_result rc;
    if (is(op, "max_charge")) {
        int64_t max = 0;
        rc = creditbook_book_max_charge(r->book, account, amount(r, arg(r, "amount")),
                                        instant(r, arg(r, "at")), &max);
        if (rc == CREDITBOOK_RESULT_OK) put_amount(f, "amount", max);
    } else if (is(op, "summary")) {
        creditbook_summary s;
        rc = creditbook_book_summary(r->book, account, date(r, arg(r, "as_of")), &s);
        if (rc != CREDITBOOK_RESULT_OK) return rc;
        put_text(f, "status", STATUS[s.status]);
        put_text(f, "standing", STANDING[s.standing]);
        int unlimited = s.limit_kind == CREDITBOOK_LIMIT_KIND_UNLIMITED;
        if (unlimited) put_text(f, "credit_limit", "unlimited");
        else put_amount(f, "credit_limit", s.credit_limit);
        put_amount(f, "balance_owed", s.balance_owed);
        put_amount(f, "credit_balance", s.credit_balance);
        if (unlimited) put_text(f, "available", "unlimited");
        else put_amount(f, "available", s.available);
        put_amount(f, "overdue", s.overdue);
        put_int(f, "open_invoices", (long long)s.open_invoices);
    } else {
        creditbook_aging *aging = NULL;
        rc = creditbook_book_aging(r->book, account, date(r, arg(r, "as_of")), &aging);
        if (rc != CREDITBOOK_RESULT_OK) return rc;
        for (size_t i = 0; i < aging->len; i++) put_amount(f, aging->buckets[i].label, aging->buckets[i].amount);
        put_amount(f, "total", aging->total);
        creditbook_aging_free(aging);
    }
    return rc;
}

/* The args each op may have (README.md's tables): anything else is a typo to refuse. */
static int allowed(const char *op, const char *key) {
    static const char *const common[] = {"account", "op_id", "at", "actor", "permissions", NULL};
    static const struct { const char *op; const char *keys[5]; } own[] = {
        {"open_account", {"customer_id", "customer_name", "credit_limit", "terms", NULL}},
        {"update_contact", {"customer_id", "customer_name", "email", NULL}},
        {"set_credit_limit", {"credit_limit", NULL}},
        {"set_terms", {"terms", NULL}},
        {"hold", {"reason", NULL}},
        {"release", {NULL}},
        {"archive", {NULL}},
        {"reactivate", {NULL}},
        {"charge", {"amount", "sale", "due_date", "override_reason", NULL}},
        {"pay", {"amount", "invoices", "reference", NULL}},
        {"deposit", {"amount", "reference", NULL}},
        {"use_credit", {"amount", "sale", NULL}},
        {"apply_credit", {"amount", "invoices", NULL}},
        {"refund_to_credit", {"amount", "sale", "sale_total", NULL}},
        {"refund_credit", {"amount", "method", NULL}},
        {"reverse", {"entry", "reason", NULL}},
        {"adjust", {"direction", "amount", "reason", NULL}},
        {"write_off", {"invoice", "amount", "reason", NULL}},
        {"max_charge", {"account", "amount", "at", NULL}},
        {"summary", {"account", "as_of", NULL}},
        {"aging", {"account", "as_of", NULL}},
    };
    int query = is(op, "max_charge") || is(op, "summary") || is(op, "aging");
    for (size_t i = 0; !query && common[i]; i++)
        if (is(key, common[i])) return 1;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (is(op, own[i].op))
            for (size_t k = 0; own[i].keys[k]; k++)
                if (is(key, own[i].keys[k])) return 1;
    return 0;
}

static int is_operation(const char *op) {
    for (size_t i = 0; i < sizeof OPERATIONS / sizeof OPERATIONS[0]; i++)
        if (is(op, OPERATIONS[i])) return 1;
    return 0;
}

/* One expected figure against the one produced. */
static int same(runner *r, const figures *f, const char *name, const char *want) {
    for (size_t i = 0; i < f->len; i++) {
        if (!is(f->names[i], name)) continue;
        if (!f->is_amount[i] || is(want, "unlimited") || is(want, "none")) return is(f->values[i], want);
        char got[32];
        snprintf(got, sizeof got, "%lld", (long long)amount(r, want));
        return is(f->values[i], got);
    }
    complain(r, "no such figure", name);
    return 0;
}

static void run_step(runner *r, const json *step) {
    const char *op = json_string(step, "op");
    const json *expect = json_get(step, "expect");
    r->args = json_get(step, "args");
    if (op == NULL || expect == NULL || r->args == NULL || r->args->type != JSON_OBJECT) {
        complain(r, "malformed step", NULL);
        CHECK(!"a well-formed step");
        return;
    }
    for (size_t i = 0; i < r->args->len; i++) {
        if (!allowed(op, r->args->keys[i])) complain(r, "unknown arg", r->args->keys[i]);
        if (r->args->items[i].type != JSON_STRING) complain(r, "arg is not a string", r->args->keys[i]);
    }
    figures f;
    memset(&f, 0, sizeof f);
    creditbook_result rc;
    if (is_operation(op)) {
        rc = operation(r, op, &f);
    } else if (is(op, "max_charge") || is(op, "summary") || is(op, "aging")) {
        rc = query(r, op, &f);
    } else {
        complain(r, "unknown op", op);
        rc = CREDITBOOK_RESULT_INTERNAL;
    }
    const json *error = json_get(expect, "error");
    const json *want = json_get(expect, "figures");
    if (error != NULL && error->type == JSON_INT) {
        if (rc != (creditbook_result)error->integer)
            fprintf(stderr, "%s: %s gave %s, expected error %lld\n", r->where, op,
                    creditbook_result_name(rc), error->integer);
        CHECK(rc == (creditbook_result)error->integer);
    } else if (want != NULL && want->type == JSON_OBJECT) {
        if (rc != CREDITBOOK_RESULT_OK) {
            char *message = NULL;
            creditbook_book_last_error(r->book, &message);
            fprintf(stderr, "%s: %s failed: %s (%s)\n", r->where, op, creditbook_result_name(rc),
                    message ? message : "");
            creditbook_string_free(message);
            CHECK(rc == CREDITBOOK_RESULT_OK);
            return;
        }
        for (size_t i = 0; i < want->len; i++) {
            const char *w = want->items[i].type == JSON_STRING ? want->items[i].string : "";
            int ok = same(r, &f, want->keys[i], w);
            if (!ok) fprintf(stderr, "%s: %s: %s expected %s\n", r->where, op, want->keys[i], w);
            CHECK(ok);
        }
    } else {
        complain(r, "expect holds neither error nor figures", NULL);
    }
    CHECK(!r->bad);
    r->bad = 0;
}

static creditbook_book *scenario_book(runner *r, const json *store) {
    static const char *const keys[] = {"name", "currency", "timezone", "default_terms",
                                       "over_limit_tolerance_percent", "overdue_hold_days",
                                       "refunds_to_credit", "receipt_less_refunds",
                                       "auto_apply_credit", "aging_buckets", NULL};
    for (size_t i = 0; store != NULL && i < store->len; i++) {
        size_t k = 0;
        while (keys[k] && !is(keys[k], store->keys[i])) k++;
        if (!keys[k]) complain(r, "unknown store key", store->keys[i]);
    }
    creditbook_settings *s = NULL;
    r->currency = json_string(store, "currency");
    if (creditbook_settings_new(json_string(store, "name"), r->currency,
                                json_string(store, "timezone"), &s) != CREDITBOOK_RESULT_OK) {
        complain(r, "bad store", NULL);
        return NULL;
    }
    const char *v;
    uint32_t kind, days;
    if ((v = json_string(store, "default_terms")) != NULL) {
        terms(r, v, &kind, &days);
        CHECK_OK(creditbook_settings_set_default_terms(s, kind, days));
    }
    if ((v = json_string(store, "over_limit_tolerance_percent")) != NULL)
        CHECK_OK(creditbook_settings_set_over_limit_tolerance(s, v));
    if ((v = json_string(store, "overdue_hold_days")) != NULL)
        CHECK_OK(creditbook_settings_set_overdue_hold_days(s, strtoll(v, NULL, 10)));
    static const struct { const char *key; uint32_t flag; } flags[] = {
        {"refunds_to_credit", CREDITBOOK_SETTING_FLAG_REFUNDS_TO_CREDIT},
        {"receipt_less_refunds", CREDITBOOK_SETTING_FLAG_RECEIPT_LESS_REFUNDS},
        {"auto_apply_credit", CREDITBOOK_SETTING_FLAG_AUTO_APPLY_CREDIT},
    };
    for (size_t i = 0; i < 3; i++)
        if ((v = json_string(store, flags[i].key)) != NULL)
            CHECK_OK(creditbook_settings_set_flag(s, flags[i].flag, is(v, "true")));
    if ((v = json_string(store, "aging_buckets")) != NULL) {
        uint64_t bounds[12];
        uint32_t b32[12];
        size_t n = ids(v, bounds, 12);
        for (size_t i = 0; i < n; i++) b32[i] = (uint32_t)bounds[i];
        CHECK_OK(creditbook_settings_set_aging_buckets(s, b32, n));
    }
    creditbook_book *book = NULL;
    CHECK_OK(creditbook_book_new(s, NULL, &book));
    creditbook_settings_free(s);
    return book;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    size_t cap = 4096, len = 0, n;
    char *text = malloc(cap);
    while (text != NULL && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *grown = realloc(text, cap *= 2);
            if (grown == NULL) free(text);
            text = grown;
        }
    }
    fclose(f);
    if (text != NULL) text[len] = '\0';
    return text;
}

/* Runs one scenario file; returns its number of steps. */
static size_t run_file(const char *path) {
    char *text = read_file(path);
    CHECK(text != NULL);
    if (text == NULL) return 0;
    char error[128];
    json *doc = json_parse(text, error, sizeof error);
    free(text);
    if (doc == NULL) fprintf(stderr, "%s: %s\n", path, error);
    CHECK(doc != NULL);
    if (doc == NULL) return 0;
    runner r;
    memset(&r, 0, sizeof r);
    r.where = path;
    r.book = scenario_book(&r, json_get(doc, "store"));
    const json *steps = json_get(doc, "steps");
    size_t n = 0;
    if (r.book != NULL && steps != NULL && steps->type == JSON_ARRAY) {
        for (; n < steps->len; n++) {
            char where[512];
            snprintf(where, sizeof where, "%s step %u", path, (unsigned)(n + 1));
            r.where = where;
            run_step(&r, &steps->items[n]);
        }
    }
    CHECK(n > 0);
    creditbook_book_free(r.book);
    json_free(doc);
    return n;
}

void test_scenarios(const char *dir) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (d == NULL) return;
    size_t files = 0, steps = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        steps += run_file(path);
        files++;
    }
    closedir(d);
    printf("scenarios: %u files, %u steps\n", (unsigned)files, (unsigned)steps);
    CHECK(files >= 3);
}
