/* A small JSON reader for the scenario vectors: objects, arrays, strings (with escapes), integers,
 * true, false, null. Not a general parser: no fractions or exponents (the vectors have none). */
#ifndef CREDITBOOK_TEST_JSON_H
#define CREDITBOOK_TEST_JSON_H

#include <stddef.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json {
    json_type type;
    long long integer;   /* JSON_INT, and JSON_BOOL (0 or 1) */
    char *string;        /* JSON_STRING */
    size_t len;          /* items of an array or object */
    struct json *items;  /* values of an array or object */
    char **keys;         /* keys of an object */
} json;

/* Parses `text`; NULL on a syntax error, with a message in `error`. Release with json_free. */
json *json_parse(const char *text, char *error, size_t error_len);
void json_free(json *value);
/* The value of `key` in an object, NULL when absent (or when `object` is no object). */
const json *json_get(const json *object, const char *key);
/* The string value of `key`, NULL when absent or not a string. */
const char *json_string(const json *object, const char *key);

#endif
