# The course's three examples, as written, with only `library(keras)` changed to
# `library(augwidgets)`, the paths, and a build_model(); each in its own Rscript.

course_example <- function(number) {
  path <- test_path("course", sprintf("example-%d.R", number))
  code <- paste(readLines(path), collapse = "\n")
  code <- gsub("path/to/train/images", file.path(digits_dir(), "train"), code, fixed = TRUE)
  code <- gsub("path/to/val/images", file.path(digits_dir(), "validation"), code, fixed = TRUE)
  code
}

run_rscript <- function(code) {
  script <- tempfile(fileext = ".R")
  writeLines(c(readLines(test_path("course", "build-model.R")), code), script)
  output <- tempfile()
  rscript <- file.path(R.home("bin"), "Rscript")
  # the child finds this package where this R session found it
  env <- c(paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep)),
           paste0("RETICULATE_PYTHON=", reticulate::py_config()$python))
  status <- system2(rscript, c("--vanilla", shQuote(script)), stdout = output,
                    stderr = output, env = env)
  list(status = status, output = paste(readLines(output), collapse = "\n"))
}

test_that("the course's examples only change library(keras) to library(augwidgets)", {
  for (number in 1:3) {
    code <- readLines(test_path("course", sprintf("example-%d.R", number)))
    expect_identical(code[[1]], "library(augwidgets)")
    expect_false(any(grepl("keras", code)))
  }
})

test_that("example 1 trains, warning that steps_per_epoch counted class folders", {
  skip_if_no_augwidgets()
  result <- run_rscript(course_example(1))
  expect_identical(result$status, 0L, info = result$output)
  expect_match(result$output, "Found 1438 images belonging to 10 classes.", fixed = TRUE)
  expect_match(result$output, "steps_per_epoch = 1 covers 32 of the 1438 images",
               fixed = TRUE)
  expect_match(result$output, "ceiling(train_generator$samples / 32)", fixed = TRUE)
  expect_match(result$output, "Epoch 10/10", fixed = TRUE)
})

test_that("example 2 stops, naming the arguments and the image_data_generator() call", {
  skip_if_no_augwidgets()
  result <- run_rscript(course_example(2))
  expect_false(identical(result$status, 0L))
  expect_match(result$output, paste0(
    "datagen <- image_data_generator(rescale = 1/255, rotation_range = 20, ",
    "width_shift_range = 0.2"), fixed = TRUE)
  expect_match(result$output, "`rescale`, `rotation_range`", fixed = TRUE)
  expect_match(result$output, "generator = datagen)", fixed = TRUE)
})

test_that("example 3 gives a history with validation metrics", {
  skip_if_no_augwidgets()
  saved <- tempfile(fileext = ".rds")
  # example 3 follows example 1 in the course, which made `model`
  code <- sub("library(augwidgets)", "library(augwidgets)\nmodel <- build_model()",
              course_example(3), fixed = TRUE)
  result <- run_rscript(paste0(code, "\nsaveRDS(history, ", deparse(saved), ")"))
  expect_identical(result$status, 0L, info = result$output)
  expect_match(result$output, "validation_steps = 1 covers 32 of the 359 images", fixed = TRUE)
  history <- readRDS(saved)
  expect_s3_class(history, "keras_training_history")
  expect_setequal(names(history$metrics), c("loss", "accuracy", "val_loss", "val_accuracy"))
  expect_length(history$metrics$val_loss, 10)
  expect_false(anyNA(history$metrics$val_accuracy))
})
