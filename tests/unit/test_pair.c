/* test_pair.c: to be written */
