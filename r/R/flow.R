# flow_images_from_directory(), flow_images_from_dataframe(), flow_images_from_data() and
# generator_next(): R keras 2.x's iterators, on augwidgets' ImageDataGenerator methods.
# Augmentation arguments given to a flow function stop with the image_data_generator()
# call to write instead.

.augmentation_arguments <- function() {
  setdiff(names(formals(image_data_generator)), "...")
}

.deparse <- function(expr) paste(trimws(deparse(expr, width.cutoff = 500L)), collapse = " ")

.received <- function(dots) {
  paste(vapply(seq_along(dots), function(i) {
    name <- names(dots)[[i]]
    value <- .deparse(dots[[i]])
    if (is.null(name) || !nzchar(name)) value else paste(name, "=", value)
  }, character(1)), collapse = ", ")
}

# Checks `...` of a wrapper: unnamed or unknown arguments fail as R does ("unused
# argument"), arguments that belong to another function name it; returns the names of
# the `allowed` extras.
.reject_dots <- function(fun, dots, allowed = character(), misplaced = character(),
                         belongs_to = NULL, call = NULL, generator = NULL) {
  if (length(dots) == 0) return(character())
  names <- names(dots) %||% rep("", length(dots))
  moved <- names %in% misplaced
  if (any(moved) && identical(belongs_to, "image_data_generator")) {
    stop(.augmentation_error(fun, call, dots[moved], generator))
  }
  if (any(moved)) {
    stop(errorCondition(paste0(
      "`", paste(names[moved], collapse = "`, `"), "` belong", if (sum(moved) == 1) "s",
      " to ", belongs_to, "(), not ", fun, "(). Received: ", .received(dots[moved])),
      class = "augwidgets_misplaced_argument", call = NULL))
  }
  unknown <- !nzchar(names) | !(names %in% allowed)
  if (any(unknown)) {
    stop(errorCondition(paste0("unused argument", if (sum(unknown) > 1) "s", " (",
                               .received(dots[unknown]), ") in ", fun, "()"),
                        class = "augwidgets_unused_argument", call = NULL))
  }
  names
}

# `name(a = 1, b = 2, ...)`, wrapped between arguments (never inside one) at about 88
# characters, continuation lines indented under the call
.format_call <- function(name, args, indent = "      ") {
  parts <- vapply(seq_along(args), function(i) {
    label <- names(args)[[i]] %||% ""
    value <- .deparse(args[[i]])
    if (nzchar(label)) paste(label, "=", value) else value
  }, character(1))
  lines <- character()
  line <- paste0(name, "(")
  for (i in seq_along(parts)) {
    piece <- paste0(parts[[i]], if (i < length(parts)) "," else "")
    if (!endsWith(line, "(") && nchar(line) + nchar(piece) + 1 > 88) {
      lines <- c(lines, line)
      line <- paste0(indent, piece)
    } else {
      line <- paste0(line, if (endsWith(line, "(")) "" else " ", piece)
    }
  }
  paste(c(lines, paste0(line, ")")), collapse = "\n")
}

.augmentation_error <- function(fun, call, moved, generator) {
  args <- as.list(call)[-1]
  args <- args[!(names(args) %in% c(names(moved), "generator"))]
  piped <- identical(generator, quote(.))
  if (!piped) args$generator <- if (is.null(generator)) as.name("datagen") else generator
  flow_code <- .format_call(fun, args)
  if (piped) flow_code <- paste("datagen %>%", flow_code)
  datagen_code <- .format_call("image_data_generator", moved)
  if (!is.null(generator) && !piped) {
    advice <- paste0("Add them to the image_data_generator() call that made `",
                     .deparse(generator), "`:\n  ", .deparse(generator), " <- ",
                     datagen_code)
  } else if (piped) {
    advice <- paste0("Add them to the image_data_generator() call of the generator piped ",
                     "in:\n  datagen <- ", datagen_code)
  } else {
    advice <- paste0("Write:\n  datagen <- ", datagen_code)
  }
  message <- paste0(
    fun, "() reads and resizes images; augmentation and scaling belong to ",
    "image_data_generator(), and `", paste(names(moved), collapse = "`, `"), "` ",
    if (length(moved) == 1) "is an argument" else "are arguments", " of ",
    "image_data_generator(), not of ", fun, "() (R keras 2.x stopped here too, with ",
    "\"unused argument\"). ", advice, "\n  train_generator <- ", flow_code,
    "\nReceived: ", .received(moved))
  errorCondition(message, class = c("augwidgets_augmentation_in_flow",
                                    "augwidgets_misplaced_argument"), call = NULL)
}

# The flow functions' checks of `...`, with the call and generator the message rewrites.
.check_flow_dots <- function(fun, call, generator_missing) {
  dots <- call$...
  call$... <- NULL
  .reject_dots(fun, dots, misplaced = .augmentation_arguments(),
               belongs_to = "image_data_generator", call = as.call(c(as.list(call), dots)),
               generator = if (generator_missing) NULL else call$generator)
}

# `datagen %>% flow_images_from_directory("dir")` puts the generator first: swap it back.
.swap_generator_first <- function(directory, generator) {
  if (.is_python(directory) && is.character(generator)) {
    list(directory = generator, generator = directory)
  } else {
    list(directory = directory, generator = generator)
  }
}

.iterator <- function(it) {
  class(it) <- unique(c("augwidgets_iterator", class(it)))
  it
}

#' Batches of images from a folder per class (R keras 2.x)
#'
#' Reads the images under `directory`, one subfolder per class, and yields
#' batches of images (resized to `target_size`, augmented and scaled by
#' `generator`) with their labels, for [fit()], [evaluate()], [predict()] or
#' [generator_next()]. Unreadable files are skipped with a warning instead of
#' stopping an epoch.
#'
#' @param directory The folder with one subfolder per class. PNG, JPEG, BMP,
#'   PPM and TIFF files in each subfolder are read.
#' @param generator An [image_data_generator()], which holds the augmentation
#'   and scaling. The default reads images as they are.
#' @param target_size `c(height, width)` the images are resized to.
#' @param color_mode `"grayscale"`, `"rgb"` or `"rgba"`: 1, 3 or 4 channels.
#' @param classes Class subfolders to use, in label order (for example
#'   `c("dogs", "cats")`); `NULL` takes every subfolder, sorted.
#' @param class_mode Labels: `"categorical"` (one-hot matrix), `"binary"`
#'   (0/1), `"sparse"` (integer codes from 0), `"input"` (the images
#'   themselves) or `NULL` (no labels, for [predict()]).
#' @param batch_size Images per batch.
#' @param shuffle Shuffle the images every epoch.
#' @param seed Seed of the shuffling and the augmentation: the same seed gives
#'   the same batches.
#' @param save_to_dir `NULL`, or a folder to save the augmented images to
#'   (to look at them).
#' @param save_prefix,save_format File name prefix and format (`"png"`,
#'   `"jpeg"`) of saved images.
#' @param follow_links Follow symbolic links inside the class subfolders.
#' @param subset `"training"` or `"validation"`, with `validation_split` set in
#'   [image_data_generator()]; `NULL` takes every image.
#' @param interpolation How images are resized: `"nearest"`, `"bilinear"`,
#'   `"bicubic"`, `"lanczos"`, `"box"` or `"hamming"`.
#' @param ... Nothing else is accepted. Augmentation arguments
#'   (`rescale`, `rotation_range`, ...) stop with an error that shows the
#'   [image_data_generator()] call to write instead; any other name fails as
#'   an unused argument.
#'
#' @return An iterator (a Python `augwidgets` `DirectoryIterator`) with R
#'   keras 2.x's fields: `$samples` (number of images), `$batch_size`,
#'   `$class_indices` (class name to label), `$classes` (each image's label),
#'   `$filenames`; `reticulate::py_len()` is the number of batches per epoch.
#'
#' @section Python:
#' `ImageDataGenerator.flow_from_directory(directory, target_size, ...)`, the
#' same arguments; `target_size`, `batch_size` and `seed` are sent as Python
#' ints.
#'
#' @section Units compared with keras3's layers:
#' keras3 reads folders with `image_dataset_from_directory(directory,
#' image_size = target_size, label_mode = class_mode)`, which resizes with
#' `"bilinear"` by default where this resizes with `"nearest"`, and returns a
#' TensorFlow dataset; the augmentation then goes into `layer_random_*()`
#' layers (see [image_data_generator()] for their units).
#'
#' @examplesIf augwidgets_available()
#' root <- import_augwidgets()$datasets$digits(file.path(tempdir(), "digits"))
#' datagen <- image_data_generator(rescale = 1/255, rotation_range = 10)
#' train_generator <- flow_images_from_directory(
#'   file.path(as.character(root), "train"), generator = datagen,
#'   target_size = c(32, 32), color_mode = "grayscale", batch_size = 32)
#' train_generator$samples
#' steps_per_epoch <- ceiling(train_generator$samples / 32)
#' @export
flow_images_from_directory <- function(directory, generator = image_data_generator(),
                                       target_size = c(256, 256), color_mode = "rgb",
                                       classes = NULL, class_mode = "categorical",
                                       batch_size = 32, shuffle = TRUE, seed = NULL,
                                       save_to_dir = NULL, save_prefix = "",
                                       save_format = "png", follow_links = FALSE,
                                       subset = NULL, interpolation = "nearest", ...) {
  .check_flow_dots("flow_images_from_directory", match.call(expand.dots = FALSE),
                   missing(generator))
  swapped <- .swap_generator_first(directory, generator)
  .iterator(swapped$generator$flow_from_directory(
    directory = path.expand(swapped$directory),
    target_size = .as_int_tuple(target_size, "target_size"), color_mode = color_mode,
    classes = .as_py_list(classes), class_mode = class_mode,
    batch_size = .as_int(batch_size, "batch_size"), shuffle = shuffle,
    seed = .as_int(seed, "seed"), save_to_dir = save_to_dir, save_prefix = save_prefix,
    save_format = save_format, follow_links = follow_links, subset = subset,
    interpolation = interpolation))
}

#' Batches of images listed in a data frame (R keras 2.x)
#'
#' Like [flow_images_from_directory()], but the files and their labels come
#' from the columns of a data frame (read from a CSV file, say) instead of
#' from folder names. Rows whose file is missing or not an image are dropped
#' with a warning that names them; the iterator's `$dropped` lists them.
#'
#' @inheritParams flow_images_from_directory
#' @param dataframe A data frame with a column of file names (`x_col`) and,
#'   depending on `class_mode`, a column of labels (`y_col`).
#' @param directory Folder the file names are relative to, or `NULL` when
#'   `x_col` holds full paths.
#' @param x_col Name of the column with the file names.
#' @param y_col Name of the label column (or several names, for
#'   `class_mode = "raw"` or `"multi_output"`).
#' @param classes Classes to use, in label order; `NULL` takes every value of
#'   `y_col`, sorted.
#' @param class_mode `"categorical"` (one-hot; a list column gives several
#'   labels per image), `"binary"`, `"sparse"`, `"input"`, `"raw"` (the
#'   values of `y_col` as they are; `"other"` is its old name),
#'   `"multi_output"` or `NULL`.
#' @param drop_duplicates Ignored, with a warning when given, as in R keras
#'   2.x with TensorFlow 2.3 and later: remove duplicate rows yourself.
#'
#' @return An iterator (a Python `augwidgets` `DataFrameIterator`), with the
#'   fields of [flow_images_from_directory()]'s.
#'
#' @section Python:
#' `ImageDataGenerator.flow_from_dataframe(dataframe, directory, x_col, y_col,
#' ...)`; the data frame is sent as a pandas `DataFrame` (the Python needs
#' pandas), rows numbered from 0.
#'
#' @section Units compared with keras3's layers:
#' keras3 has no data-frame reader; build a TensorFlow dataset from the file
#' names instead and augment with `layer_random_*()` layers (see
#' [image_data_generator()] for their units).
#'
#' @examplesIf augwidgets_available()
#' root <- import_augwidgets()$datasets$digits(file.path(tempdir(), "digits"))
#' train_dir <- file.path(as.character(root), "train")
#' files <- list.files(train_dir, recursive = TRUE)
#' labels <- data.frame(filename = files, class = dirname(files))
#' frame_generator <- flow_images_from_dataframe(
#'   labels, directory = train_dir, target_size = c(32, 32),
#'   color_mode = "grayscale")
#' @export
flow_images_from_dataframe <- function(dataframe, directory = NULL, x_col = "filename",
                                       y_col = "class", generator = image_data_generator(),
                                       target_size = c(256, 256), color_mode = "rgb",
                                       classes = NULL, class_mode = "categorical",
                                       batch_size = 32, shuffle = TRUE, seed = NULL,
                                       save_to_dir = NULL, save_prefix = "",
                                       save_format = "png", subset = NULL,
                                       interpolation = "nearest", drop_duplicates = NULL,
                                       ...) {
  .check_flow_dots("flow_images_from_dataframe", match.call(expand.dots = FALSE),
                   missing(generator))
  if (!is.null(drop_duplicates)) {
    warning("`drop_duplicates` is ignored (as with TensorFlow 2.3 and later): remove ",
            "duplicate rows from the data frame yourself, e.g. with ",
            "dataframe[!duplicated(dataframe[[x_col]]), ].", call. = FALSE)
  }
  if (.is_python(dataframe) && reticulate::py_has_attr(dataframe, "flow_from_dataframe")) {
    stop("`dataframe` is an image_data_generator(): the data frame comes first, as in R ",
         "keras 2.x. Write flow_images_from_dataframe(frame, directory, generator = datagen). ",
         "Received: dataframe = an ImageDataGenerator", call. = FALSE)
  }
  .iterator(generator$flow_from_dataframe(
    dataframe = .as_pandas(dataframe),
    directory = if (is.null(directory)) NULL else path.expand(directory),
    x_col = x_col, y_col = if (length(y_col) > 1) as.list(y_col) else y_col,
    target_size = .as_int_tuple(target_size, "target_size"), color_mode = color_mode,
    classes = .as_py_list(classes), class_mode = class_mode,
    batch_size = .as_int(batch_size, "batch_size"), shuffle = shuffle,
    seed = .as_int(seed, "seed"), save_to_dir = save_to_dir, save_prefix = save_prefix,
    save_format = save_format, subset = subset, interpolation = interpolation))
}

#' Batches of augmented images from arrays in memory (R keras 2.x)
#'
#' @inheritParams flow_images_from_directory
#' @param x Images, an R array `n x height x width x channels` (1 channel for
#'   grayscale, 3 for RGB).
#' @param y Labels, one per image (a vector, or a matrix with one row per
#'   image), or `NULL`.
#' @param sample_weight Weights, one per image, or `NULL`.
#'
#' @return An iterator (a Python `augwidgets` `NumpyArrayIterator`) yielding
#'   `list(x, y)` batches (or `x` alone without `y`).
#'
#' @section Python:
#' `ImageDataGenerator.flow(x, y, batch_size, ...)`. `x`, `y` and
#' `sample_weight` are sent as NumPy arrays (doubles as float32, integers as
#' int32), with the same shape and indexing as in R.
#'
#' @section Units compared with keras3's layers:
#' keras3 builds a dataset from arrays with `tfdatasets::tensor_slices_dataset()`
#' and augments it with `layer_random_*()` layers (see
#' [image_data_generator()] for their units).
#'
#' @examplesIf augwidgets_available()
#' x <- array(runif(8 * 16 * 16 * 1), dim = c(8, 16, 16, 1))
#' y <- rep(0:1, 4)
#' it <- flow_images_from_data(x, y, image_data_generator(horizontal_flip = TRUE),
#'                             batch_size = 4, seed = 1)
#' batch <- generator_next(it)
#' dim(batch[[1]])
#' @export
flow_images_from_data <- function(x, y = NULL, generator = image_data_generator(),
                                  batch_size = 32, shuffle = TRUE, sample_weight = NULL,
                                  seed = NULL, save_to_dir = NULL, save_prefix = "",
                                  save_format = "png", subset = NULL, ...) {
  .check_flow_dots("flow_images_from_data", match.call(expand.dots = FALSE),
                   missing(generator))
  .iterator(generator$flow(
    x = .as_numpy(x), y = .as_numpy(y), batch_size = .as_int(batch_size, "batch_size"),
    shuffle = shuffle, sample_weight = .as_numpy(sample_weight),
    seed = .as_int(seed, "seed"), save_to_dir = save_to_dir, save_prefix = save_prefix,
    save_format = save_format, subset = subset))
}

#' The next batch of an iterator (R keras 2.x)
#'
#' @param generator An iterator from [flow_images_from_directory()],
#'   [flow_images_from_dataframe()] or [flow_images_from_data()] (or any
#'   Python iterator).
#' @param completed Returned when the iterator has no more items. The
#'   `flow_images_from_*()` iterators never end: they start a new epoch.
#'
#' @return The batch with R arrays: `list(x, y)`, `list(x, y, weights)`, or
#'   the array `x` alone when there are no labels.
#'
#' @section Python:
#' Python's `next(generator)`; NumPy arrays are converted to R arrays of the
#' same shape (`x[i, , , ]` is image `i`).
#'
#' @section Units compared with keras3's layers:
#' A keras3 (TensorFlow) dataset gives its batches with
#' `reticulate::iter_next(reticulate::as_iterator(dataset))`, as tensors.
#'
#' @examplesIf augwidgets_available()
#' it <- flow_images_from_data(array(0, dim = c(2, 4, 4, 3)), c(0, 1), batch_size = 2)
#' str(generator_next(it))
#' @export
generator_next <- function(generator, completed = NULL) {
  builtins <- .builtins()
  sentinel <- builtins$object()
  item <- builtins$`next`(generator, sentinel)
  if (identical(reticulate::py_id(item), reticulate::py_id(sentinel))) return(completed)
  .as_r_value(item)
}

#' @export
`$.augwidgets_iterator` <- function(x, name) {
  # NumPy arrays as R arrays (reticulate before 1.36 can't convert NumPy 2's);
  # everything else as reticulate gives it
  if (reticulate::py_has_attr(x, name)) {
    value <- reticulate::py_get_attr(x, name)
    if (reticulate::py_to_r(.builtins()$isinstance(value, .np()$ndarray))) {
      return(.as_r_array(value))
    }
  }
  NextMethod()
}

#' @export
`[[.augwidgets_iterator` <- `$.augwidgets_iterator`
