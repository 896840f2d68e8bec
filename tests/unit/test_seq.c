/* test_seq.c: to be written */
