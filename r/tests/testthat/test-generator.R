test_that("image_data_generator() has R keras 2.x's arguments and defaults", {
  expected <- c("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                "samplewise_std_normalization", "zca_whitening", "zca_epsilon",
                "rotation_range", "width_shift_range", "height_shift_range",
                "brightness_range", "shear_range", "zoom_range", "channel_shift_range",
                "fill_mode", "cval", "horizontal_flip", "vertical_flip", "rescale",
                "preprocessing_function", "data_format", "validation_split", "...")
  expect_identical(names(formals(image_data_generator)), expected)
  defaults <- formals(image_data_generator)
  expect_identical(defaults$zca_epsilon, 1e-6)
  expect_identical(defaults$fill_mode, "nearest")
  expect_null(defaults$rescale)
})

test_that("every argument reaches the Python generator with its value", {
  skip_if_no_augwidgets()
  given <- list(featurewise_center = TRUE, samplewise_center = TRUE,
                featurewise_std_normalization = TRUE, samplewise_std_normalization = TRUE,
                zca_whitening = FALSE, zca_epsilon = 1e-5, rotation_range = 20,
                width_shift_range = 0.2, height_shift_range = c(-8, 0, 8),
                brightness_range = c(0.8, 1.2), shear_range = 10.5, zoom_range = c(0.5, 1),
                channel_shift_range = 20, fill_mode = "constant", cval = 10,
                horizontal_flip = TRUE, vertical_flip = TRUE, rescale = 1/255,
                data_format = "channels_last", validation_split = 0.25)
  generator <- do.call(image_data_generator, given)
  kwargs <- generator$generator_kwargs
  for (name in names(given)) {
    expect_equal(unlist(kwargs[[name]]), given[[name]], label = name)
  }
  expect_null(kwargs$preprocessing_function)
  # augwidgets' own extras pass through
  extra <- image_data_generator(interpolation_order = 0, dtype = "float64")
  expect_identical(extra$generator_kwargs$interpolation_order, 0L)
  expect_identical(extra$dtype, "float64")
})

test_that("a bad value fails in Python, naming the argument", {
  skip_if_no_augwidgets()
  expect_error(image_data_generator(fill_mode = "mirror"), "fill_mode")
  expect_error(image_data_generator(zoom_range = c(1, 2, 3)), "zoom_range")
})

test_that("flow arguments given to image_data_generator() are named as such", {
  expect_error(image_data_generator(rescale = 1/255, target_size = c(224, 224)),
               "`target_size` belongs to flow_images_from_directory\\(\\), not image_data_generator\\(\\)")
  expect_error(image_data_generator(rotate = 20), "unused argument \\(rotate = 20\\)")
})

test_that("an R preprocessing_function gets R arrays and runs in generator_next()", {
  skip_if_no_augwidgets()
  x <- array(runif(4 * 5 * 6 * 1), dim = c(4, 5, 6, 1))
  seen <- NULL
  generator <- image_data_generator(rescale = 2, preprocessing_function = function(image) {
    seen <<- dim(image)
    image + 1
  })
  batch <- generator_next(flow_images_from_data(x, generator = generator, batch_size = 4,
                                                shuffle = FALSE))
  expect_identical(seen, c(5L, 6L, 1L))
  # rescale comes after the function, as in legacy Keras
  expect_equal(batch, (x + 1) * 2, tolerance = 1e-6)
})

test_that("fit_image_data_generator() fits the featurewise statistics", {
  skip_if_no_augwidgets()
  x <- array(rep(c(10, 20, 30), each = 2 * 4 * 4), dim = c(2, 4, 4, 3))
  generator <- image_data_generator(featurewise_center = TRUE)
  expect_invisible(fit_image_data_generator(generator, x))
  expect_equal(as.numeric(augwidgets:::.as_r_array(
    reticulate::py_get_attr(generator, "mean"))), c(10, 20, 30))
  batch <- generator_next(flow_images_from_data(x, generator = generator, shuffle = FALSE))
  expect_equal(max(abs(batch)), 0)
})

test_that("generator_code() writes keras3 layers with converted units", {
  skip_if_no_augwidgets()
  code <- generator_code(image_data_generator(rescale = 1/255, rotation_range = 20,
                                              zoom_range = 0.2), "r-keras3",
                         directory = "data/train")
  expect_match(code, "layer_random_rotation(factor = 20/360", fixed = TRUE)
  expect_match(code, "layer_random_zoom(height_factor = c(-0.2, 0.2)", fixed = TRUE)
  expect_match(code, "image_dataset_from_directory(\n  \"data/train\"", fixed = TRUE)
  same <- generator_code(list(rescale = 1/255, rotation_range = 20, zoom_range = 0.2),
                         "r-keras3", directory = "data/train")
  expect_identical(same, code)
  course <- generator_code(list(rotation_range = 20), "r")
  expect_match(course, "image_data_generator(", fixed = TRUE)
  expect_error(generator_code("rotation_range = 20"), "`generator` must be")
})
