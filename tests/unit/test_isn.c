/* test_isn.c: to be written */
