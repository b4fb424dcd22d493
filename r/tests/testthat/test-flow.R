test_that("the flow functions have R keras 2.x's arguments, then `...`", {
  expect_identical(names(formals(flow_images_from_directory)), c(
    "directory", "generator", "target_size", "color_mode", "classes", "class_mode",
    "batch_size", "shuffle", "seed", "save_to_dir", "save_prefix", "save_format",
    "follow_links", "subset", "interpolation", "..."))
  expect_identical(names(formals(flow_images_from_dataframe)), c(
    "dataframe", "directory", "x_col", "y_col", "generator", "target_size", "color_mode",
    "classes", "class_mode", "batch_size", "shuffle", "seed", "save_to_dir", "save_prefix",
    "save_format", "subset", "interpolation", "drop_duplicates", "..."))
  expect_identical(names(formals(flow_images_from_data)), c(
    "x", "y", "generator", "batch_size", "shuffle", "sample_weight", "seed", "save_to_dir",
    "save_prefix", "save_format", "subset", "..."))
  expect_identical(formals(flow_images_from_directory)$target_size, quote(c(256, 256)))
  expect_identical(formals(flow_images_from_directory)$interpolation, "nearest")
})

test_that("batches equal the legacy Keras generator's for the same arguments", {
  skip_if_no_augwidgets()
  train <- file.path(digits_dir(), "train")
  ours <- flow_images_from_directory(train, image_data_generator(rescale = 1/255),
                                     target_size = c(20, 24), color_mode = "grayscale",
                                     class_mode = "sparse", batch_size = 16, shuffle = FALSE)
  legacy_module <- reticulate::import("keras.src.legacy.preprocessing.image")
  legacy <- legacy_module$ImageDataGenerator(rescale = 1/255)$flow_from_directory(
    train, target_size = reticulate::tuple(20L, 24L), color_mode = "grayscale",
    class_mode = "sparse", batch_size = 16L, shuffle = FALSE)
  expect_identical(ours$samples, legacy$samples)
  expect_identical(ours$class_indices, legacy$class_indices)
  for (i in 1:2) {
    mine <- generator_next(ours)
    theirs <- augwidgets:::.as_r_value(reticulate::py_call(
      reticulate::import_builtins(convert = FALSE)$`next`, legacy))
    expect_identical(dim(mine[[1]]), c(16L, 20L, 24L, 1L))
    expect_lt(max(abs(mine[[1]] - theirs[[1]])), 1e-6)
    expect_identical(as.integer(mine[[2]]), as.integer(theirs[[2]]))
  }
  # NumPy fields come back as R vectors
  expect_identical(length(ours$classes), ours$samples)
  expect_identical(sort(unique(as.integer(ours$classes))), 0:9)
})

test_that("the same seed gives the same augmented batch", {
  skip_if_no_augwidgets()
  train <- file.path(digits_dir(), "train")
  generator <- image_data_generator(rotation_range = 30, zoom_range = 0.2)
  first <- function(seed) {
    generator_next(flow_images_from_directory(train, generator, target_size = c(16, 16),
                                              batch_size = 4, seed = seed))[[1]]
  }
  expect_identical(first(3), first(3))
  expect_false(identical(first(3), first(4)))
})

test_that("augmentation arguments in a flow function stop with the call to write", {
  skip_if_no_augwidgets()
  train <- file.path(digits_dir(), "train")
  error <- expect_error(
    flow_images_from_directory(directory = train, target_size = c(224, 224), batch_size = 32,
                               class_mode = "categorical", rescale = 1/255,
                               rotation_range = 20, horizontal_flip = TRUE),
    class = "augwidgets_augmentation_in_flow")
  message <- conditionMessage(error)
  expect_match(message, "`rescale`, `rotation_range`, `horizontal_flip` are arguments of image_data_generator()",
               fixed = TRUE)
  expect_match(message, "datagen <- image_data_generator(rescale = 1/255, rotation_range = 20, horizontal_flip = TRUE)",
               fixed = TRUE)
  expect_match(message, "generator = datagen", fixed = TRUE)
  expect_match(message, "Received: rescale = 1/255, rotation_range = 20, horizontal_flip = TRUE",
               fixed = TRUE)
  # the call to write runs
  datagen <- image_data_generator(rescale = 1/255, rotation_range = 20, horizontal_flip = TRUE)
  fixed <- sub(".*train_generator <- ", "", sub("\nReceived:.*", "", message))
  fixed_generator <- eval(parse(text = fixed), list(datagen = datagen, train = train))
  expect_identical(fixed_generator$samples, 1438L)

  # with a generator given, the message says where the settings go
  datagen <- image_data_generator()
  piped <- expect_error(datagen %>% flow_images_from_directory(directory = train, zoom_range = 0.2),
                        class = "augwidgets_augmentation_in_flow")
  expect_match(conditionMessage(piped), "datagen %>% flow_images_from_directory(directory = train)",
               fixed = TRUE)
  expect_error(flow_images_from_data(array(0, c(2, 4, 4, 1)), shear_range = 5),
               "image_data_generator\\(shear_range = 5\\)")
  expect_error(flow_images_from_directory(train, size = c(8, 8)),
               "unused argument \\(size = c\\(8, 8\\)\\)")
})

test_that("a generator piped first still works, as in R keras 2.x", {
  skip_if_no_augwidgets()
  datagen <- image_data_generator(rescale = 1/255)
  iterator <- datagen %>% flow_images_from_directory(file.path(digits_dir(), "validation"),
                                                     target_size = c(8, 8), batch_size = 5)
  expect_identical(iterator$samples, 359L)
  expect_identical(iterator$batch_size, 5L)
  expect_identical(reticulate::py_len(iterator), 72L)
})

test_that("flow_images_from_dataframe() reads the listed files and drops missing ones", {
  skip_if_no_augwidgets()
  skip_if_not(reticulate::py_module_available("pandas"))
  train <- file.path(digits_dir(), "train")
  files <- list.files(train, recursive = TRUE)
  labels <- data.frame(filename = c(files, "7/missing.png"), class = c(dirname(files), "7"))
  iterator <- expect_warning(
    flow_images_from_dataframe(labels, directory = train, target_size = c(8, 8),
                               color_mode = "grayscale", batch_size = 10, shuffle = FALSE),
    NA)  # Python's warning goes to Python's stderr, not R's conditions
  expect_identical(iterator$samples, length(files))
  expect_identical(names(iterator$class_indices), as.character(0:9))
  expect_identical(iterator$dropped[[1]]$filename, "7/missing.png")
  batch <- generator_next(iterator)
  expect_identical(dim(batch[[1]]), c(10L, 8L, 8L, 1L))
  expect_identical(dim(batch[[2]]), c(10L, 10L))
  expect_warning(flow_images_from_dataframe(labels[1:3, ], directory = train,
                                            drop_duplicates = TRUE),
                 "`drop_duplicates` is ignored")
  expect_error(image_data_generator() %>% flow_images_from_dataframe(labels),
               "the data frame comes first")
})

test_that("flow_images_from_data() without augmentation gives back the arrays", {
  skip_if_no_augwidgets()
  x <- array(runif(6 * 5 * 4 * 3), dim = c(6, 5, 4, 3))
  y <- c(0, 1, 2, 0, 1, 2)
  weights <- c(1, 2, 3, 4, 5, 6)
  iterator <- flow_images_from_data(x, y, batch_size = 4, shuffle = FALSE,
                                    sample_weight = weights)
  batch <- generator_next(iterator)
  expect_length(batch, 3)
  expect_equal(batch[[1]], x[1:4, , , , drop = FALSE], tolerance = 1e-6)
  expect_equal(as.numeric(batch[[2]]), y[1:4])
  expect_equal(as.numeric(batch[[3]]), weights[1:4])
  rest <- generator_next(iterator)
  expect_equal(rest[[1]], x[5:6, , , , drop = FALSE], tolerance = 1e-6)
  # no labels: the images alone
  alone <- generator_next(flow_images_from_data(x, batch_size = 2, shuffle = FALSE))
  expect_equal(alone, x[1:2, , , , drop = FALSE], tolerance = 1e-6)
})

test_that("generator_next() returns `completed` when a Python iterator ends", {
  skip_if_no_augwidgets()
  finite <- reticulate::py_eval("iter([1])", convert = FALSE)
  expect_identical(generator_next(finite), 1L)
  expect_identical(generator_next(finite, completed = "done"), "done")
})
