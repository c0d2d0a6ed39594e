/* See json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *p;
    char *error;
    size_t error_len;
    int failed;
} parser;

static void fail(parser *ps, const char *what) {
    if (!ps->failed) snprintf(ps->error, ps->error_len, "%s near \"%.20s\"", what, ps->p);
    ps->failed = 1;
}

static void skip_space(parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t') ps->p++;
}

static void *grow(void *items, size_t count, size_t size) {
    void *grown = realloc(items, count * size);
    if (grown == NULL) abort();
    return grown;
}

static void put_utf8(char *out, size_t *n, unsigned long cp) {
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | (cp >> 18));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const char *p, unsigned long *out) {
    *out = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int v = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0) return 0;
        *out = *out * 16 + (unsigned long)v;
    }
    return 1;
}

/* A string at ps->p (after its opening quote); the copy is at most as long as the source. */
static char *parse_string(parser *ps) {
    const char *start = ps->p;
    size_t cap = 0;
    while (start[cap] && start[cap] != '"') cap += start[cap] == '\\' && start[cap + 1] ? 2 : 1;
    char *out = malloc(cap + 1);
    if (out == NULL) abort();
    size_t n = 0;
    while (*ps->p && *ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            fail(ps, "control character in a string");
            break;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        char e = *ps->p++;
        switch (e) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned long cp, low;
            if (!hex4(ps->p, &cp)) { fail(ps, "bad \\u escape"); break; }
            ps->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
                hex4(ps->p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                ps->p += 6;
            }
            put_utf8(out, &n, cp); /* at most 4 bytes for the 6 or 12 read */
            break;
        }
        default: fail(ps, "bad escape"); break;
        }
        if (ps->failed) break;
    }
    out[n] = '\0';
    if (*ps->p != '"') fail(ps, "unterminated string");
    else ps->p++;
    return out;
}

static void parse_value(parser *ps, json *v);

static void parse_items(parser *ps, json *v, int object) {
    char close = object ? '}' : ']';
    skip_space(ps);
    if (*ps->p == close) {
        ps->p++;
        return;
    }
    for (;;) {
        skip_space(ps);
        v->items = grow(v->items, v->len + 1, sizeof *v->items);
        if (object) {
            v->keys = grow(v->keys, v->len + 1, sizeof *v->keys);
            v->keys[v->len] = NULL;
        }
        memset(&v->items[v->len], 0, sizeof *v->items);
        v->len++;
        if (object) {
            if (*ps->p != '"') { fail(ps, "expected a key"); return; }
            ps->p++;
            v->keys[v->len - 1] = parse_string(ps);
            skip_space(ps);
            if (*ps->p != ':') { fail(ps, "expected ':'"); return; }
            ps->p++;
        }
        parse_value(ps, &v->items[v->len - 1]);
        if (ps->failed) return;
        skip_space(ps);
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == close) { ps->p++; return; }
        fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
        return;
    }
}

static void parse_value(parser *ps, json *v) {
    skip_space(ps);
    char c = *ps->p;
    if (c == '{' || c == '[') {
        ps->p++;
        v->type = c == '{' ? JSON_OBJECT : JSON_ARRAY;
        parse_items(ps, v, c == '{');
    } else if (c == '"') {
        ps->p++;
        v->type = JSON_STRING;
        v->string = parse_string(ps);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char *end;
        v->type = JSON_INT;
        v->integer = strtoll(ps->p, &end, 10);
        if (end == ps->p || *end == '.' || *end == 'e' || *end == 'E') fail(ps, "not an integer");
        ps->p = end;
    } else if (strncmp(ps->p, "true", 4) == 0 || strncmp(ps->p, "false", 5) == 0) {
        v->type = JSON_BOOL;
        v->integer = c == 't';
        ps->p += c == 't' ? 4 : 5;
    } else if (strncmp(ps->p, "null", 4) == 0) {
        v->type = JSON_NULL;
        ps->p += 4;
    } else {
        fail(ps, "unexpected character");
    }
}

static void release(json *v) {
    for (size_t i = 0; i < v->len; i++) {
        release(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
}

json *json_parse(const char *text, char *error, size_t error_len) {
    parser ps = {text, error, error_len, 0};
    json *v = calloc(1, sizeof *v);
    if (v == NULL) abort();
    parse_value(&ps, v);
    skip_space(&ps);
    if (!ps.failed && *ps.p != '\0') fail(&ps, "text after the value");
    if (ps.failed) {
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(json *value) {
    if (value == NULL) return;
    release(value);
    free(value);
}

const json *json_get(const json *object, const char *key) {
    if (object == NULL || object->type != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < object->len; i++)
        if (object->keys[i] != NULL && strcmp(object->keys[i], key) == 0) return &object->items[i];
    return NULL;
}

const char *json_string(const json *object, const char *key) {
    const json *v = json_get(object, key);
    return v != NULL && v->type == JSON_STRING ? v->string : NULL;
}
