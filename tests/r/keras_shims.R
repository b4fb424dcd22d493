# Stand-ins for the R `keras` (2.x) and `keras3` functions that augwidgets' R export calls.
#
# Neither R package is installable here (CRAN is out of reach, Debian packages neither), so
# these shims copy the real functions' signatures from rstudio/keras3 (the 2.x wrappers
# from R/preprocessing.R before commit e0a53d7, the keras3 layers from
# R/layers-preprocessing.R and R/dataset-utils.R) and forward, as those packages do, to the
# Python Keras through reticulate. An argument name the real R function lacks fails here
# with "unused argument" (or, past a keras3 `...`, in Python, as there); a value Python
# Keras rejects fails in Python.

keras <- reticulate::import("keras")

.as_int <- function(x) if (is.null(x)) NULL else as.integer(x)

# ---- R keras 2.x ------------------------------------------------------------------------
image_data_generator <- function(featurewise_center = FALSE, samplewise_center = FALSE,
                                 featurewise_std_normalization = FALSE, samplewise_std_normalization = FALSE,
                                 zca_whitening = FALSE, zca_epsilon = 1e-6, rotation_range = 0.0, width_shift_range = 0.0,
                                 height_shift_range = 0.0, brightness_range = NULL, shear_range = 0.0, zoom_range = 0.0, channel_shift_range = 0.0,
                                 fill_mode = "nearest", cval = 0.0, horizontal_flip = FALSE, vertical_flip = FALSE,
                                 rescale = NULL, preprocessing_function = NULL, data_format = NULL, validation_split = 0.0) {
  args <- as.list(environment())
  # Keras 3 keeps the 2.x generator here; R keras 2.x called keras$preprocessing$image
  do.call(reticulate::import("keras.src.legacy.preprocessing.image")$ImageDataGenerator, args)
}

flow_images_from_directory <- function(
  directory, generator = image_data_generator(), target_size = c(256, 256), color_mode = "rgb",
  classes = NULL, class_mode = "categorical",
  batch_size = 32, shuffle = TRUE, seed = NULL,
  save_to_dir = NULL, save_prefix = "", save_format = "png",
  follow_links = FALSE, subset = NULL, interpolation = "nearest") {
  generator$flow_from_directory(
    directory = directory, target_size = reticulate::tuple(as.list(as.integer(target_size))),
    color_mode = color_mode, classes = classes, class_mode = class_mode,
    batch_size = as.integer(batch_size), shuffle = shuffle, seed = .as_int(seed),
    follow_links = follow_links, subset = subset, interpolation = interpolation)
}

# ---- R keras3 ---------------------------------------------------------------------------
keras_model_sequential <- function(input_shape = NULL, name = NULL, ...) {
  keras$Sequential(name = name)
}

.create_layer <- function(cls, object, args) {
  layer <- do.call(cls, args)
  if (missing(object) || is.null(object)) return(layer)
  object$add(layer)
  object
}

.layer_args <- function(env) {
  args <- as.list(env)
  args$object <- NULL
  args[!vapply(args, is.null, logical(1))]
}

layer_random_rotation <- function(object, factor, fill_mode = "reflect", interpolation = "bilinear",
                                  seed = NULL, fill_value = 0, data_format = NULL, ...)
  .create_layer(keras$layers$RandomRotation, object, c(.layer_args(environment()), list(...)))

layer_random_translation <- function(object, height_factor, width_factor, fill_mode = "reflect",
                                     interpolation = "bilinear", seed = NULL, fill_value = 0,
                                     data_format = NULL, ...)
  .create_layer(keras$layers$RandomTranslation, object, c(.layer_args(environment()), list(...)))

layer_random_zoom <- function(object, height_factor, width_factor = NULL, fill_mode = "reflect",
                              interpolation = "bilinear", seed = NULL, fill_value = 0,
                              data_format = NULL, ...)
  .create_layer(keras$layers$RandomZoom, object, c(.layer_args(environment()), list(...)))

layer_random_shear <- function(object, x_factor = 0, y_factor = 0, interpolation = "bilinear",
                               fill_mode = "reflect", fill_value = 0, data_format = NULL,
                               seed = NULL, ...)
  .create_layer(keras$layers$RandomShear, object, c(.layer_args(environment()), list(...)))

layer_random_flip <- function(object, mode = "horizontal_and_vertical", seed = NULL,
                              data_format = NULL, ...)
  .create_layer(keras$layers$RandomFlip, object, c(.layer_args(environment()), list(...)))

layer_random_brightness <- function(object, factor, value_range = list(0L, 255L), seed = NULL, ...)
  .create_layer(keras$layers$RandomBrightness, object, c(.layer_args(environment()), list(...)))

layer_rescaling <- function(object, scale, offset = 0, ...)
  .create_layer(keras$layers$Rescaling, object, c(.layer_args(environment()), list(...)))

image_dataset_from_directory <- function(directory, labels = "inferred", label_mode = "int",
          class_names = NULL, color_mode = "rgb", batch_size = 32L,
          image_size = c(256L, 256L), shuffle = TRUE, seed = NULL,
          validation_split = NULL, subset = NULL, interpolation = "bilinear",
          follow_links = FALSE, crop_to_aspect_ratio = FALSE,
          pad_to_aspect_ratio = FALSE, data_format = NULL, verbose = TRUE) {
  args <- as.list(environment())
  args$image_size <- lapply(image_size, as.integer)
  args$batch_size <- as.integer(batch_size)
  args$seed <- .as_int(seed)
  args["label_mode"] <- list(label_mode)
  do.call(keras$utils$image_dataset_from_directory, args)
}

# tfdatasets::dataset_map maps an R function over the dataset inside tf.data's graph; the
# shim applies it eagerly to the first batch, which checks the same call.
dataset_map_first_batch <- function(dataset, map_func) {
  batch <- reticulate::iter_next(reticulate::as_iterator(dataset))
  do.call(map_func, unname(as.list(batch)))
}
