history_example <- function() {
  augwidgets:::keras_training_history(
    params = list(epochs = 3L, steps = 45L),
    metrics = list(loss = c(1.2, 0.8, 0.6), accuracy = c(0.5, 0.7, 0.8),
                   val_loss = c(1.0, 0.7, 0.65), val_accuracy = c(0.6, 0.75, 0.78)))
}

test_that("as.data.frame() gives one row per epoch, metric and data", {
  frame <- as.data.frame(history_example())
  expect_identical(nrow(frame), 12L)
  expect_identical(levels(frame$metric), c("loss", "accuracy"))
  expect_identical(levels(frame$data), c("training", "validation"))
  row <- frame[frame$epoch == 2 & frame$metric == "accuracy" & frame$data == "validation", ]
  expect_identical(row$value, 0.75)
})

test_that("metrics logged for fewer epochs are padded with NA", {
  history <- augwidgets:::keras_training_history(list(epochs = 3L),
                                                 list(loss = c(1, 2, 3), lr = 0.1))
  expect_identical(history$metrics$lr, c(0.1, NA, NA))
})

test_that("plot() draws every metric and rejects unknown ones", {
  history <- history_example()
  path <- tempfile(fileext = ".pdf")
  grDevices::pdf(path)
  expect_invisible(plot(history))
  expect_invisible(plot(history, metrics = "loss"))
  grDevices::dev.off()
  expect_gt(file.size(path), 0)
  expect_error(plot(history, metrics = "val_loss"), "`metrics` must name logged metrics")
})

test_that("print() shows the last epoch", {
  printed <- capture.output(print(history_example()))
  expect_identical(printed[[1]], "Trained for 3 epochs (45 steps each)")
  expect_match(printed[[length(printed)]], "val_accuracy:  0.78", fixed = TRUE)
})
