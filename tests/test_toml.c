/* core/toml: values, types, lines, entry order, and every rejection class with its message. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "core/toml.h"

static core_toml_doc *parse_ok(const char *text) {
  core_error_clear();
  core_toml_doc *doc = NULL;
  core_status s = core_toml_parse_string(&doc, text, "t.toml");
  ck_assert_msg(s == CORE_OK, "unexpected failure: %s", core_error_message());
  ck_assert_ptr_nonnull(doc);
  return doc;
}

START_TEST(test_scalars_types_and_lines) {
  core_toml_doc *doc = parse_ok("# header comment\n"
                                "i = -1_234\n"
                                "f = 6.5e-3 # trailing comment\n"
                                "\n"
                                "b = false\n"
                                "s = 'lit\\n'\n"
                                "h = 0xff\n"
                                "big = 9223372036854775807\n");
  ck_assert_uint_eq(core_toml_doc_size(doc), 6);
  const core_toml_value *v = core_toml_doc_get(doc, "i");
  ck_assert_int_eq(v->type, CORE_TOML_INT);
  ck_assert_int_eq(v->as.i, -1234);
  ck_assert_int_eq(v->line, 2);
  v = core_toml_doc_get(doc, "f");
  ck_assert_int_eq(v->type, CORE_TOML_FLOAT);
  ck_assert_double_eq(v->as.f, 6.5e-3);
  ck_assert_int_eq(v->line, 3);
  v = core_toml_doc_get(doc, "b");
  ck_assert_int_eq(v->type, CORE_TOML_BOOL);
  ck_assert_int_eq(v->as.b, 0);
  ck_assert_int_eq(v->line, 5);
  v = core_toml_doc_get(doc, "s");
  ck_assert_int_eq(v->type, CORE_TOML_STRING);
  ck_assert_str_eq(v->as.s, "lit\\n"); /* literal strings keep backslashes */
  ck_assert_int_eq(core_toml_doc_get(doc, "h")->as.i, 255);
  ck_assert_int_eq(core_toml_doc_get(doc, "big")->as.i, 9223372036854775807LL);
  ck_assert_ptr_null(core_toml_doc_get(doc, "missing"));
  core_toml_doc_destroy(doc);
}
END_TEST

START_TEST(test_special_floats) {
  core_toml_doc *doc = parse_ok("a = inf\nb = -inf\nc = nan\nd = -0.0\ne = 1e400\nf = 1_0.2_5\n");
  ck_assert(isinf(core_toml_doc_get(doc, "a")->as.f) && core_toml_doc_get(doc, "a")->as.f > 0);
  ck_assert(isinf(core_toml_doc_get(doc, "b")->as.f) && core_toml_doc_get(doc, "b")->as.f < 0);
  ck_assert(isnan(core_toml_doc_get(doc, "c")->as.f));
  ck_assert(signbit(core_toml_doc_get(doc, "d")->as.f));
  ck_assert(isinf(core_toml_doc_get(doc, "e")->as.f));
  ck_assert_double_eq(core_toml_doc_get(doc, "f")->as.f, 10.25);
  core_toml_doc_destroy(doc);
}
END_TEST

START_TEST(test_string_escapes) {
  core_toml_doc *doc = parse_ok("s = \"q\\\" b\\\\ n\\n t\\t \\u00e9\\U0001F600\"\n");
  ck_assert_str_eq(core_toml_doc_get(doc, "s")->as.s, "q\" b\\ n\n t\t \xc3\xa9\xf0\x9f\x98\x80");
  core_toml_doc_destroy(doc);
}
END_TEST

START_TEST(test_tables_and_full_names) {
  core_toml_doc *doc = parse_ok("top = 1\n"
                                "[trainer]\n"
                                "adam_steps = 10\n"
                                "lr.decay = 0.5\n"
                                "[a.\"b.c\"]\n"
                                "'x y' = true\n");
  ck_assert_uint_eq(core_toml_doc_size(doc), 6);
  const char *keys[] = {"top", "trainer", "trainer.adam_steps", "trainer.lr.decay", "a.\"b.c\"",
                        "a.\"b.c\".\"x y\""};
  const core_toml_type types[] = {CORE_TOML_INT, CORE_TOML_TABLE, CORE_TOML_INT,
                                  CORE_TOML_FLOAT, CORE_TOML_TABLE, CORE_TOML_BOOL};
  const int lines[] = {1, 2, 3, 4, 5, 6};
  for (size_t i = 0; i < 6; i++) {
    const core_toml_entry *e = core_toml_doc_entry(doc, i);
    ck_assert_str_eq(e->key, keys[i]);
    ck_assert_int_eq(e->value.type, types[i]);
    ck_assert_int_eq(e->value.line, lines[i]);
  }
  const core_toml_entry *e = core_toml_doc_entry(doc, 5);
  ck_assert_int_eq(e->n_parts, 3);
  ck_assert_str_eq(e->parts[1], "b.c");
  ck_assert_str_eq(e->parts[2], "x y");
  ck_assert_ptr_null(core_toml_doc_entry(doc, 6));
  ck_assert_int_eq(core_toml_doc_get(doc, "trainer.lr.decay")->line, 4);
  core_toml_doc_destroy(doc);
}
END_TEST

START_TEST(test_multiline_nested_arrays) {
  core_toml_doc *doc = parse_ok("a = [\n"
                                "  1, # one\n"
                                "  [2.5, \"x\"],\n"
                                "  [],\n"
                                "]\n"
                                "b = 2\n");
  const core_toml_value *a = core_toml_doc_get(doc, "a");
  ck_assert_int_eq(a->type, CORE_TOML_ARRAY);
  ck_assert_int_eq(a->line, 1);
  ck_assert_uint_eq(a->as.array.n, 3);
  ck_assert_int_eq(a->as.array.items[0].as.i, 1);
  ck_assert_int_eq(a->as.array.items[0].line, 2);
  const core_toml_value *inner = &a->as.array.items[1];
  ck_assert_int_eq(inner->type, CORE_TOML_ARRAY);
  ck_assert_int_eq(inner->line, 3);
  ck_assert_double_eq(inner->as.array.items[0].as.f, 2.5);
  ck_assert_str_eq(inner->as.array.items[1].as.s, "x");
  ck_assert_uint_eq(a->as.array.items[2].as.array.n, 0);
  ck_assert_int_eq(core_toml_doc_get(doc, "b")->line, 6);
  core_toml_doc_destroy(doc);
}
END_TEST

/* Each rejection class with the exact "<name>:<line>: <message>" it must produce. */
static const struct {
  const char *text, *message;
} rejections[] = {
    {"a = 1\na = 2\n", "t.toml:2: duplicate key 'a'"},
    {"[t]\nx = 1\n[t]\n", "t.toml:3: table [t] is defined more than once"},
    {"a.b = 1\n[a]\n", "t.toml:2: table [a] is defined more than once"},
    {"[a.b]\nx = 1\n[a]\nb.y = 2\n",
     "t.toml:4: cannot add 'a.b.y' with a dotted key: table 'b' is defined elsewhere"},
    {"a = 1\n[a]\n", "t.toml:2: cannot define table [a]: 'a' is already a value"},
    {"a = 1\na.b = 2\n", "t.toml:2: cannot use dotted key 'a.b': 'a' is already a value"},
    {"\n[p]\nn 5\n", "t.toml:3: expected '=' after key 'p.n', found '5'"},
    {"n\n", "t.toml:1: expected '=' after key 'n'"},
    {"a =\n", "t.toml:1: missing value"},
    {"s = \"\\q\"\n", "t.toml:1: invalid escape '\\q' in string"},
    {"s = \"\\u12\"\n", "t.toml:1: invalid escape: \\u needs 4 hex digits"},
    {"s = \"\\uD800\"\n", "t.toml:1: invalid escape: U+D800 is not a Unicode scalar value"},
    {"s = \"abc\n", "t.toml:1: unterminated string"},
    {"s = \"a\x01\"\n", "t.toml:1: control character 0x01 in string (use an escape)"},
    {"a = 012\n", "t.toml:1: leading zeros are not allowed in '012'"},
    {"a = 1__0\n", "t.toml:1: invalid number '1__0'"},
    {"a = 1.\n", "t.toml:1: invalid number '1.': digits must follow '.'"},
    {"a = 1e\n", "t.toml:1: invalid number '1e': digits must follow the exponent"},
    {"a = hello\n", "t.toml:1: invalid value 'hello' (strings must be quoted)"},
    {"a = 1 2\n", "t.toml:1: unexpected '2' after value (expected end of line)"},
    {"a = [1 2]\n", "t.toml:1: expected ',' or ']' in array, found '2'"},
    {"a = [1,\n2\n", "t.toml:3: unterminated array"},
    {"[a\n", "t.toml:1: expected ']' to close the table header"},
    {"x = 1\n\n[]\n", "t.toml:3: missing key before ']'"},
    {"a = 1\rb = 2\n", "t.toml:1: carriage return not followed by a newline"},
    {"# \x01\n", "t.toml:1: control character in comment"},
    {"a = \"\xff\"\n", "t.toml:1: invalid UTF-8"},
    {"d = 1979-05-27\n", "t.toml:1: dates and times are not supported"},
    {"t = 07:32:00\n", "t.toml:1: dates and times are not supported"},
    {"a = {x = 1}\n", "t.toml:1: inline tables are not supported"},
    {"a = \"\"\"x\"\"\"\n", "t.toml:1: multi-line strings are not supported"},
    {"a = '''x'''\n", "t.toml:1: multi-line strings are not supported"},
    {"[[a]]\n", "t.toml:1: arrays of tables ([[...]]) are not supported"},
    {"a = 9223372036854775808\n", "t.toml:1: integer '9223372036854775808' outside the 64-bit "
                                  "range is not supported"},
    {"a = \"\\u0000\"\n", "t.toml:1: NUL characters in strings are not supported"},
};

START_TEST(test_rejections) {
  core_error_clear();
  core_toml_doc *doc = NULL;
  core_status s = core_toml_parse_string(&doc, rejections[_i].text, "t.toml");
  ck_assert_int_eq(s, CORE_ERR_CONFIG);
  ck_assert_ptr_null(doc);
  ck_assert_str_eq(core_error_message(), rejections[_i].message);
}
END_TEST

START_TEST(test_missing_file) {
  core_error_clear();
  core_toml_doc *doc = NULL;
  ck_assert_int_eq(core_toml_parse_file(&doc, "/nonexistent/x.toml"), CORE_ERR_IO);
  ck_assert_str_eq(core_error_message(),
                   "cannot read config '/nonexistent/x.toml': No such file or directory");
}
END_TEST

START_TEST(test_file_names_path_in_messages) {
  char path[] = "/tmp/pinnsolve_toml_XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  FILE *f = fdopen(fd, "w");
  fputs("[run]\nseed = 1\nseed = 2\n", f);
  fclose(f);
  core_error_clear();
  core_toml_doc *doc = NULL;
  ck_assert_int_eq(core_toml_parse_file(&doc, path), CORE_ERR_CONFIG);
  char expected[128];
  snprintf(expected, sizeof expected, "%s:3: duplicate key 'run.seed'", path);
  ck_assert_str_eq(core_error_message(), expected);
  remove(path);
}
END_TEST

START_TEST(test_value_parse_is_quiet) {
  core_error_clear();
  core_toml_value *v = NULL;
  char err[128];
  ck_assert_int_eq(core_toml_value_parse(&v, "fm", err, sizeof err), CORE_ERR_CONFIG);
  ck_assert_ptr_null(v);
  ck_assert_str_eq(err, "invalid value 'fm' (strings must be quoted)");
  ck_assert_str_eq(core_error_message(), ""); /* nothing recorded */
  ck_assert_int_eq(core_toml_value_parse(&v, " [1, 2.5] ", err, sizeof err), CORE_OK);
  ck_assert_int_eq(v->type, CORE_TOML_ARRAY);
  ck_assert_double_eq(v->as.array.items[1].as.f, 2.5);
  core_toml_value_destroy(v);
  ck_assert_int_eq(core_toml_value_parse(&v, "1 2", err, sizeof err), CORE_ERR_CONFIG);
  ck_assert_str_eq(err, "unexpected '2' after value");
  core_toml_value_destroy(NULL);
  core_toml_doc_destroy(NULL);
}
END_TEST

static Suite *make_suite(void) {
  Suite *s = suite_create("toml");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_scalars_types_and_lines);
  tcase_add_test(tc, test_special_floats);
  tcase_add_test(tc, test_string_escapes);
  tcase_add_test(tc, test_tables_and_full_names);
  tcase_add_test(tc, test_multiline_nested_arrays);
  tcase_add_loop_test(tc, test_rejections, 0, (int)(sizeof rejections / sizeof rejections[0]));
  tcase_add_test(tc, test_missing_file);
  tcase_add_test(tc, test_file_names_path_in_messages);
  tcase_add_test(tc, test_value_parse_is_quiet);
  suite_add_tcase(s, tc);
  return s;
}

CHECK_MAIN(make_suite)
