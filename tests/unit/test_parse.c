/* test_parse.c: to be written */
