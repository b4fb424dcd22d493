# image_data_generator() and fit_image_data_generator(): R keras 2.x's constructor of the
# augmentation settings, on augwidgets.ImageDataGenerator.

# Arguments of flow_images_from_*() that people pass to image_data_generator() by mistake.
.flow_arguments <- c("directory", "target_size", "color_mode", "classes", "class_mode",
                     "batch_size", "shuffle", "seed", "save_to_dir", "save_prefix",
                     "save_format", "follow_links", "subset", "interpolation")

#' Image augmentation and scaling settings (R keras 2.x)
#'
#' Makes the object that [flow_images_from_directory()],
#' [flow_images_from_dataframe()] and [flow_images_from_data()] read images
#' with. It holds the random augmentation (rotation, shifts, shear, zoom, flips,
#' brightness, channel shift) and the scaling (`rescale`, centring,
#' normalisation); it reads no images itself. The arguments, defaults and units
#' are R keras 2.x's, which are those of Keras' legacy Python
#' `ImageDataGenerator`.
#'
#' @param featurewise_center Set the mean over the dataset to 0, per channel
#'   (needs [fit_image_data_generator()]).
#' @param samplewise_center Set each image's mean to 0.
#' @param featurewise_std_normalization Divide by the dataset's standard
#'   deviation, per channel (needs [fit_image_data_generator()]).
#' @param samplewise_std_normalization Divide each image by its own standard
#'   deviation.
#' @param zca_whitening Apply ZCA whitening (needs [fit_image_data_generator()]).
#' @param zca_epsilon Epsilon for ZCA whitening.
#' @param rotation_range Degrees: the angle is drawn from
#'   `[-rotation_range, rotation_range]`.
#' @param width_shift_range,height_shift_range Below 1: a fraction of the
#'   image's side, drawn from `[-r, r]`; from 1: pixels; a whole number
#'   written as an integer (`12L`) or a vector (`c(-8, 0, 8)`) draws one of
#'   the allowed whole-pixel values. A legacy quirk is kept for identical
#'   pixels (keras-team/keras#17398): `height_shift_range` moves images
#'   sideways, by a fraction of the height, and `width_shift_range` up and
#'   down.
#' @param brightness_range `NULL`, or two numbers `c(low, high)`: every image
#'   is multiplied by a factor drawn from that range.
#' @param shear_range Shear angle in **degrees**, drawn from `[-s, s]`
#'   (`0.2` is a fifth of a degree). R keras 2.x's help said radians; the
#'   Python generator it called has used degrees since Keras 2.2.
#' @param zoom_range One number `z`: the zoom factor is drawn from
#'   `[1 - z, 1 + z]`, separately for height and width; or `c(low, high)`.
#'   Factors above 1 zoom out (the image gets smaller).
#' @param channel_shift_range Add one value drawn from `[-c, c]` to every
#'   channel, clipped to the image's own range.
#' @param fill_mode How points outside the image are filled: `"constant"`
#'   (`kkkk|abcd|kkkk` with `cval = k`), `"nearest"` (`aaaa|abcd|dddd`),
#'   `"reflect"` (`dcba|abcd|dcba`) or `"wrap"` (`abcd|abcd|abcd`).
#' @param cval Fill value for `fill_mode = "constant"`.
#' @param horizontal_flip,vertical_flip Flip half of the images.
#' @param rescale `NULL` or a factor the pixels are multiplied by, after the
#'   augmentation and `preprocessing_function` (`1/255` maps 0..255 to 0..1).
#' @param preprocessing_function `NULL`, or a function of one image (an R
#'   array of height x width x channels) that returns an array of the same
#'   shape. It runs on each augmented image, before `rescale`. An R function
#'   works with [generator_next()], but not inside [fit()], [evaluate()] or
#'   [predict()]: Keras asks for batches from a background thread, and R runs
#'   only on its main thread, so these stop with an error. Give a Python
#'   function there, for example
#'   `reticulate::import("keras")$applications$resnet50$preprocess_input`, or
#'   one of your own: `reticulate::py_run_string("def prep(x): return x / 127.5
#'   - 1")`, then `preprocessing_function = reticulate::py$prep`.
#' @param data_format `"channels_last"` or `"channels_first"`; `NULL` is
#'   Keras' setting (`"channels_last"` unless changed).
#' @param validation_split Share of each class kept apart for
#'   `subset = "validation"` in the `flow_images_from_*()` functions, in
#'   `[0, 1)`.
#' @param ... augwidgets' own arguments, which R keras 2.x lacked:
#'   `interpolation_order` (0 nearest, 1 bilinear, 2 to 5 spline) and `dtype`.
#'   Anything else stops with an error; arguments of
#'   [flow_images_from_directory()] given here are named as such.
#'
#' @return A Python `augwidgets.ImageDataGenerator`.
#'
#' @section Python:
#' `augwidgets.ImageDataGenerator(...)`, with the same argument names; a
#' drop-in for `keras.preprocessing.image.ImageDataGenerator`, which R keras
#' 2.x called, giving the same random draws and pixels.
#'
#' @section Units compared with keras3's layers:
#' The R package `keras3` has no image generator; it augments with
#' preprocessing layers, in other units:
#' \itemize{
#'   \item `rotation_range = 20` (degrees) is
#'     `layer_random_rotation(factor = 20/360)` (a fraction of a full turn).
#'   \item `shear_range = s` (degrees, about the centre) is about
#'     `layer_random_shear(x_factor = sin(s * pi / 180))`, which shears about
#'     the top-left corner.
#'   \item `zoom_range = 0.2` (a factor in `[0.8, 1.2]`, above 1 zooms out) is
#'     `layer_random_zoom(height_factor = c(-0.2, 0.2), width_factor =
#'     c(-0.2, 0.2))` (the factor minus 1; keras3 zooms out at most 2x).
#'   \item `width_shift_range`/`height_shift_range` fractions are
#'     `layer_random_translation()` factors, swapped (see above).
#'   \item `brightness_range = c(0.8, 1.2)` *multiplies* pixels;
#'     `layer_random_brightness(factor = c(-0.2, 0.2))` *adds*
#'     `factor * 255`.
#'   \item `rescale = 1/255` is `layer_rescaling(scale = 1/255)`;
#'     `horizontal_flip = TRUE` is `layer_random_flip("horizontal")`.
#' }
#' [generator_code()] writes the keras3 code for a generator, with these
#' conversions and a comment wherever one is not exact.
#'
#' @seealso [flow_images_from_directory()], [generator_code()].
#' @examplesIf augwidgets_available()
#' datagen <- image_data_generator(rescale = 1/255, rotation_range = 20,
#'                                 width_shift_range = 0.2, zoom_range = 0.2,
#'                                 horizontal_flip = TRUE)
#' datagen$rotation_range
#' @export
image_data_generator <- function(featurewise_center = FALSE, samplewise_center = FALSE,
                                 featurewise_std_normalization = FALSE,
                                 samplewise_std_normalization = FALSE, zca_whitening = FALSE,
                                 zca_epsilon = 1e-6, rotation_range = 0.0,
                                 width_shift_range = 0.0, height_shift_range = 0.0,
                                 brightness_range = NULL, shear_range = 0.0, zoom_range = 0.0,
                                 channel_shift_range = 0.0, fill_mode = "nearest", cval = 0.0,
                                 horizontal_flip = FALSE, vertical_flip = FALSE, rescale = NULL,
                                 preprocessing_function = NULL, data_format = NULL,
                                 validation_split = 0.0, ...) {
  extra <- .reject_dots("image_data_generator", match.call(expand.dots = FALSE)$...,
                        allowed = c("interpolation_order", "dtype"),
                        misplaced = .flow_arguments, belongs_to = "flow_images_from_directory")
  args <- list(
    featurewise_center = featurewise_center, samplewise_center = samplewise_center,
    featurewise_std_normalization = featurewise_std_normalization,
    samplewise_std_normalization = samplewise_std_normalization,
    zca_whitening = zca_whitening, zca_epsilon = zca_epsilon,
    rotation_range = rotation_range, width_shift_range = .as_range(width_shift_range),
    height_shift_range = .as_range(height_shift_range),
    brightness_range = .as_py_list(brightness_range), shear_range = shear_range,
    zoom_range = .as_range(zoom_range), channel_shift_range = channel_shift_range,
    fill_mode = fill_mode, cval = cval, horizontal_flip = horizontal_flip,
    vertical_flip = vertical_flip, rescale = rescale,
    preprocessing_function = .as_preprocessing_function(preprocessing_function),
    data_format = data_format, validation_split = validation_split)
  dots <- list(...)
  if ("interpolation_order" %in% names(dots)) {
    dots$interpolation_order <- .as_int(dots$interpolation_order, "interpolation_order")
  }
  args <- c(args, dots[names(dots) %in% extra])
  do.call(aw$ImageDataGenerator, args)
}

# one number stays a number, several become a Python list (legacy draws from the list)
.as_range <- function(x) if (length(x) > 1) as.list(x) else x

# An R preprocessing function gets and returns R arrays, and runs on R's main thread
# (Python calls it from worker threads, which must not enter R); a Python callable is
# passed as it is.
.as_preprocessing_function <- function(f) {
  if (is.null(f) || .is_python(f)) return(f)
  if (!is.function(f)) {
    stop("`preprocessing_function` must be NULL or a function of one image. Received: ",
         "an object of class ", paste(class(f), collapse = "/"), call. = FALSE)
  }
  wrapped <- function(image) {
    out <- f(.as_r_array(image))
    .as_numpy(out, dtype = image$dtype)
  }
  python <- reticulate::py_main_thread_func(reticulate::r_to_py(wrapped, convert = FALSE))
  reticulate::py_set_attr(python, "_augwidgets_r_function", TRUE)
  python
}

#' Fit a generator's statistics to sample images (R keras 2.x)
#'
#' Computes the mean, standard deviation and ZCA matrix that
#' `featurewise_center`, `featurewise_std_normalization` and `zca_whitening`
#' of [image_data_generator()] use. Other settings need no fitting.
#'
#' @param object An [image_data_generator()].
#' @param x An R array of images, `n x height x width x channels` (1 channel
#'   for grayscale, 3 for RGB).
#' @param augment Fit on randomly augmented copies.
#' @param rounds With `augment`, how many augmented passes over `x`.
#' @param seed Seed of the augmentation.
#'
#' @return `object`, invisibly (it is changed in place).
#'
#' @section Python:
#' `ImageDataGenerator.fit(x, augment, rounds, seed)`; `x` is sent as a NumPy
#' array, `rounds` and `seed` as Python ints.
#'
#' @section Units compared with keras3's layers:
#' In keras3, `layer_normalization()` and its `adapt()` take the place of
#' `featurewise_center` and `featurewise_std_normalization`; ZCA whitening has
#' no keras3 layer.
#'
#' @examplesIf augwidgets_available()
#' datagen <- image_data_generator(featurewise_center = TRUE)
#' x <- array(runif(4 * 8 * 8 * 3), dim = c(4, 8, 8, 3))
#' fit_image_data_generator(datagen, x)
#' @export
fit_image_data_generator <- function(object, x, augment = FALSE, rounds = 1, seed = NULL) {
  object$fit(x = .as_numpy(x), augment = augment, rounds = .as_int(rounds, "rounds"),
             seed = .as_int(seed, "seed"))
  invisible(object)
}
