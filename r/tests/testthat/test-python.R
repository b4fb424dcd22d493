test_that("a virtual environment's directory is taken as its python", {
  venv <- file.path(tempfile(), "venv")
  dir.create(file.path(venv, "bin"), recursive = TRUE)
  file.create(file.path(venv, "bin", "python"))
  expect_identical(augwidgets:::.python_executable(venv), file.path(venv, "bin", "python"))
  expect_identical(augwidgets:::.python_executable("/usr/bin/python3"), "/usr/bin/python3")
  expect_error(augwidgets:::.python_executable(tempdir()),
               "`python` is a directory without bin/python")
})

test_that("use_augwidgets() keeps the running Python and refuses to switch", {
  skip_if_no_augwidgets()
  running <- reticulate::py_config()$python
  expect_identical(use_augwidgets(running), running)
  expect_invisible(use_augwidgets(running))
  expect_error(use_augwidgets("/opt/another/python"),
               "Python is already running in this R session")
})

test_that("import_augwidgets() gives the Python module", {
  skip_if_no_augwidgets()
  aw <- import_augwidgets()
  expect_true(reticulate::py_has_attr(aw, "ImageDataGenerator"))
  expect_identical(reticulate::py_to_r(reticulate::py_get_attr(aw, "__name__")), "augwidgets")
})
