test_that("fit() takes R numbers and arrays, and returns an R history", {
  skip_if_no_augwidgets()
  keras <- keras_module()
  keras$utils$set_random_seed(1L)
  model <- keras$Sequential(list(keras$Input(shape = list(3L)), keras$layers$Dense(1L)))
  model$compile(optimizer = "sgd", loss = "mse", metrics = list("mae"))
  x <- matrix(runif(60), ncol = 3)
  y <- rowSums(x)
  history <- model %>% fit(x, y, epochs = 3, batch_size = 8, verbose = 0,
                           validation_split = 0.2)
  expect_s3_class(history, "keras_training_history")
  expect_setequal(names(history$metrics), c("loss", "mae", "val_loss", "val_mae"))
  expect_length(history$metrics$loss, 3)
  expect_type(history$metrics$loss, "double")
  expect_identical(history$params$epochs, 3L)
  scores <- evaluate(model, x, y, verbose = 0)
  expect_setequal(names(scores), c("loss", "mae"))
  expect_type(scores$loss, "double")
  predictions <- predict(model, x, verbose = 0)
  expect_identical(dim(predictions), c(20L, 1L))
  weights <- numpy_module()$asarray(model$get_weights()[[1]])
  bias <- augwidgets:::.as_r_array(numpy_module()$asarray(model$get_weights()[[2]]))
  expected <- x %*% augwidgets:::.as_r_array(weights) + as.numeric(bias)
  expect_equal(predictions, expected, tolerance = 1e-5, ignore_attr = TRUE)
  expect_error(fit(model, x, y, epochs = 1.5), "`epochs` must be a whole number")
})

test_that("fit() trains on a directory iterator with validation and class weights", {
  skip_if_no_augwidgets()
  datagen <- image_data_generator(rescale = 1/255, rotation_range = 10)
  train <- flow_images_from_directory(file.path(digits_dir(), "train"), datagen,
                                      target_size = c(16, 16), color_mode = "grayscale",
                                      batch_size = 64, seed = 1)
  validation <- flow_images_from_directory(file.path(digits_dir(), "validation"),
                                           image_data_generator(rescale = 1/255),
                                           target_size = c(16, 16), color_mode = "grayscale",
                                           batch_size = 64, shuffle = FALSE)
  model <- tiny_classifier(16)
  weights <- stats::setNames(as.list(rep(1, 10)), 0:9)
  expect_no_warning(history <- model %>% fit(
    train, epochs = 1, steps_per_epoch = ceiling(train$samples / 64), verbose = 0,
    validation_data = validation, class_weight = weights))
  expect_setequal(names(history$metrics), c("loss", "accuracy", "val_loss", "val_accuracy"))
  predictions <- predict(model, validation, verbose = 0)
  expect_identical(dim(predictions), c(359L, 10L))
  expect_equal(rowSums(predictions), rep(1, 359), tolerance = 1e-4)
  scores <- model %>% evaluate(validation, verbose = 0)
  expect_equal(scores$accuracy,
               mean(max.col(predictions) - 1L == as.integer(validation$classes)),
               tolerance = 1e-6)
})

test_that("steps that count class folders are named before training", {
  skip_if_no_augwidgets()
  train_dir <- file.path(digits_dir(), "train")
  train_generator <- flow_images_from_directory(train_dir, target_size = c(8, 8),
                                                color_mode = "grayscale", batch_size = 32)
  model <- tiny_classifier(8)
  expect_warning(
    model %>% fit(train_generator, steps_per_epoch = length(list.files(train_dir)),
                  epochs = 1, verbose = 0),
    paste0("steps_per_epoch = 10 covers 320 of the 1438 images in train_generator.*",
           "10 is the number of class folders.*",
           "Write steps_per_epoch = ceiling\\(train_generator\\$samples / 32\\) \\(= 45\\)"))
  expect_warning(
    model %>% fit(train_generator, steps_per_epoch = ceiling(length(list.files(train_dir)) / 32),
                  epochs = 1, verbose = 0),
    "1 is ceiling\\(10 / 32\\), the number of class folders divided by the batch size")
  expect_warning(fit(model, train_generator, steps_per_epoch = 20, epochs = 1, verbose = 0),
                 "steps_per_epoch = 20 covers 640 of the 1438 images")
  expect_no_warning(fit(model, train_generator, steps_per_epoch = 45, epochs = 1, verbose = 0))
})

test_that("an R preprocessing_function stops fit() with the Python way to write it", {
  skip_if_no_augwidgets()
  generator <- image_data_generator(preprocessing_function = function(image) image)
  iterator <- flow_images_from_data(array(0, dim = c(4, 8, 8, 1)), c(0, 1, 0, 1), generator)
  expect_error(fit(tiny_classifier(8, classes = 2L), iterator, epochs = 1, verbose = 0),
               "preprocessing_function = reticulate::py\\$prep")
  reticulate::py_run_string("def augwidgets_test_prep(x): return x * 0 + 0.5")
  python_generator <- image_data_generator(
    preprocessing_function = reticulate::py$augwidgets_test_prep)
  iterator <- flow_images_from_data(array(0, dim = c(4, 8, 8, 1)),
                                    matrix(c(1, 0, 0, 1), 4, 2), python_generator)
  history <- fit(tiny_classifier(8, classes = 2L), iterator, epochs = 1, verbose = 0)
  expect_length(history$metrics$loss, 1)
})
