/* test_build.c: to be written */
