/* test_compact.c: to be written */
