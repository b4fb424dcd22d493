test_that("R arrays reach NumPy with R's shape and indexing, and come back equal", {
  skip_if_no_augwidgets()
  x <- array(seq_len(2 * 3 * 4 * 5) + 0.5, dim = c(2, 3, 4, 5))
  a <- augwidgets:::.as_numpy(x)
  expect_equal(unlist(reticulate::py_to_r(a$shape)), c(2L, 3L, 4L, 5L))
  expect_equal(reticulate::py_to_r(a$dtype$name), "float32")
  # x[2, 3, 1, 4] in R is a[1, 2, 0, 3] in NumPy
  expect_equal(reticulate::py_to_r(a$`__getitem__`(reticulate::tuple(1L, 2L, 0L, 3L))$item()),
               x[2, 3, 1, 4])
  expect_identical(augwidgets:::.as_r_array(a), x)
  integers <- matrix(c(-3L, 0L, 7L, 2147483647L), 2)
  back <- augwidgets:::.as_r_array(augwidgets:::.as_numpy(integers))
  expect_identical(back, integers)
  expect_identical(augwidgets:::.as_r_array(numpy_module()$array(list(TRUE, FALSE))),
                   array(c(TRUE, FALSE)))
})

test_that("whole numbers become Python ints and anything else is named", {
  expect_identical(augwidgets:::.as_int(32, "batch_size"), 32L)
  expect_null(augwidgets:::.as_int(NULL, "seed"))
  expect_error(augwidgets:::.as_int(2.5, "batch_size"),
               "`batch_size` must be a whole number. Received: batch_size = 2.5")
})

test_that("a data frame reaches pandas column by column, rows numbered from 0", {
  skip_if_no_augwidgets()
  skip_if_not(reticulate::py_module_available("pandas"))
  frame <- data.frame(filename = c("a.png", "b.png"), class = factor(c("x", "y")), w = c(1, 2.5))
  frame$labels <- list(c("x", "y"), "y")
  pandas_frame <- augwidgets:::.as_pandas(frame)
  expect_identical(reticulate::py_to_r(pandas_frame$columns$tolist()),
                   c("filename", "class", "w", "labels"))
  expect_identical(reticulate::py_to_r(pandas_frame$index$tolist()), 0:1)
  expect_identical(reticulate::py_to_r(pandas_frame$`__getitem__`("class")$tolist()),
                   c("x", "y"))
  expect_identical(reticulate::py_to_r(pandas_frame$`__getitem__`("labels")$tolist()),
                   list(c("x", "y"), "y"))
  expect_identical(reticulate::py_to_r(pandas_frame$`__getitem__`("w")$tolist()), c(1, 2.5))
})
