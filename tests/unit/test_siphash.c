/* test_siphash.c: to be written */
