# generator_code(): the code that builds a generator's augmentation in another dialect,
# notably keras3's layers, for moving course code to the current R package.

#' Code for a generator's augmentation, in keras3 or another dialect
#'
#' Writes the code that rebuilds a generator's settings: with
#' `dialect = "r-keras3"` as keras3 preprocessing layers and
#' `image_dataset_from_directory()`, with the units converted and a comment on
#' every line whose translation is not exact; with `"r"` as R keras 2.x (this
#' package's) code; `"python"`, `"augwidgets"` and `"keras3"` write Python.
#'
#' @param generator An [image_data_generator()], or a named list of its
#'   arguments (`list(rotation_range = 20, zoom_range = 0.2)`).
#' @param dialect `"r-keras3"`, `"r"`, `"keras3"`, `"python"` or
#'   `"augwidgets"`.
#' @param directory The class-per-folder directory written into the code.
#' @param target_size `c(height, width)` the images are resized to.
#' @param batch_size Images per batch.
#' @param class_mode As in [flow_images_from_directory()].
#' @param seed Written as `seed =` when given.
#'
#' @return The code, a character string; `cat()` it.
#'
#' @section Python:
#' `augwidgets.generator_code(generator.generator_kwargs, dialect, directory=,
#' target_size=, batch_size=, class_mode=, seed=)`.
#'
#' @section Units compared with keras3's layers:
#' This function does the conversion: rotation degrees / 360 for
#' `layer_random_rotation()`, zoom factors minus 1 for `layer_random_zoom()`,
#' shear degrees to `sin()` of the angle for `layer_random_shear()`, shift
#' fractions swapped between height and width for `layer_random_translation()`
#' (see [image_data_generator()]).
#'
#' @examplesIf augwidgets_available()
#' datagen <- image_data_generator(rescale = 1/255, rotation_range = 20, zoom_range = 0.2)
#' cat(generator_code(datagen, "r-keras3", directory = "data/train"))
#' @export
generator_code <- function(generator, dialect = "r-keras3", directory = "data/train",
                           target_size = c(224, 224), batch_size = 32,
                           class_mode = "categorical", seed = NULL) {
  settings <- if (.is_python(generator)) {
    reticulate::py_get_attr(generator, "generator_kwargs")
  } else if (is.list(generator) && (length(generator) == 0 || !is.null(names(generator)))) {
    lapply(generator, .as_range)
  } else {
    stop("`generator` must be an image_data_generator() or a named list of its arguments. ",
         "Received: an object of class ", paste(class(generator), collapse = "/"),
         call. = FALSE)
  }
  aw$generator_code(settings, dialect, directory = directory,
                    target_size = .as_int_tuple(target_size, "target_size"),
                    batch_size = .as_int(batch_size, "batch_size"), class_mode = class_mode,
                    seed = .as_int(seed, "seed"))
}
