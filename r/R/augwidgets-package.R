# The package's entry points: loading the Python module lazily, pointing reticulate at the
# Python that has augwidgets, and the re-exported pipe.

#' augwidgets: R keras 2.x image generators on the augwidgets Python package
#'
#' The image API of R `keras` 2.x (`image_data_generator()`,
#' `flow_images_from_directory()`, `flow_images_from_dataframe()`,
#' `flow_images_from_data()`, `generator_next()`, and `fit()`, `evaluate()`,
#' `predict()` for Keras models) with R keras 2.x's argument names, defaults
#' and units, running on the Python package augwidgets (a drop-in for Keras'
#' legacy `ImageDataGenerator`) through reticulate. The current R package,
#' `keras3`, no longer has these functions.
#'
#' Start with [use_augwidgets()] to choose the Python, or set the
#' `RETICULATE_PYTHON` environment variable before loading the package.
#'
#' @section Python:
#' Every function here calls the Python package `augwidgets`; each help page
#' names the Python function or method it maps to. [import_augwidgets()]
#' gives the module itself.
#'
#' @section Units compared with keras3's layers:
#' Each help page says how its units differ from keras3's preprocessing
#' layers; [image_data_generator()] lists them all, and [generator_code()]
#' converts a generator to keras3 code.
#'
#' @keywords internal
"_PACKAGE"

# the Python module, imported on first use (reticulate's delay_load), so that
# use_augwidgets() can still choose the Python after library(augwidgets)
aw <- NULL

.onLoad <- function(libname, pkgname) {
  aw <<- reticulate::import("augwidgets", delay_load = TRUE)
}

#' Pipe operator
#'
#' magrittr's `%>%`, re-exported as R keras 2.x did, so that course code such
#' as `model %>% fit(train_generator, epochs = 10)` runs after
#' `library(augwidgets)` alone.
#'
#' @section Python:
#' None: this is R's pipe; `x %>% f(y)` is `f(x, y)`.
#'
#' @section Units compared with keras3's layers:
#' No units. keras3's documentation pipes with R's own `|>`, which works here
#' too.
#'
#' @name %>%
#' @rdname pipe
#' @keywords internal
#' @importFrom magrittr %>%
#' @export
#' @usage lhs \%>\% rhs
#' @param lhs A value or the magrittr placeholder.
#' @param rhs A function call using the magrittr semantics.
#' @return The result of calling `rhs(lhs)`.
NULL

#' Point reticulate at the Python that has augwidgets
#'
#' Chooses the Python interpreter reticulate uses in this R session and checks
#' that it can import augwidgets. Call it once, before any other function of
#' this package; R can start only one Python per session.
#'
#' The Python is, in this order: the `python` argument; the environment
#' variable `RETICULATE_PYTHON`; the option `augwidgets.python`; otherwise
#' whatever reticulate finds on its own. A directory is taken as a virtual
#' environment (its `bin/python`, or `Scripts/python.exe` on Windows).
#'
#' @param python Path to a Python executable or to a virtual environment.
#' @param required Passed to [reticulate::use_python()]: fail when that Python
#'   cannot be used, instead of falling back to another one.
#'
#' @return The path of the Python in use, invisibly.
#'
#' @section Python:
#' [reticulate::use_python()], then `import augwidgets`. The Python needs
#' augwidgets, Keras 3 and TensorFlow (`pip install "augwidgets[cpu]"`), and
#' pandas for [flow_images_from_dataframe()].
#'
#' @section Units compared with keras3's layers:
#' No units. keras3 chooses its Python the same way, through reticulate
#' (`reticulate::use_virtualenv()`, `RETICULATE_PYTHON`), and needs Keras 3
#' and TensorFlow there but not augwidgets.
#'
#' @examples
#' \dontrun{
#' library(augwidgets)
#' use_augwidgets("~/venvs/augwidgets")  # a virtual environment
#' use_augwidgets("/usr/bin/python3")    # or an interpreter
#' }
#' @export
use_augwidgets <- function(python = NULL, required = TRUE) {
  if (is.null(python) || !nzchar(python)) python <- Sys.getenv("RETICULATE_PYTHON")
  if (!nzchar(python)) python <- getOption("augwidgets.python", "")
  if (nzchar(python)) {
    python <- .python_executable(path.expand(python))
    if (reticulate::py_available(initialize = FALSE)) {
      current <- reticulate::py_config()$python
      if (!identical(normalizePath(current, mustWork = FALSE),
                     normalizePath(python, mustWork = FALSE))) {
        stop("Python is already running in this R session (", current, "), so it can't ",
             "switch to ", python, ". Restart R and call use_augwidgets() first.",
             call. = FALSE)
      }
    } else {
      reticulate::use_python(python, required = required)
    }
  }
  if (!reticulate::py_module_available("augwidgets")) {
    found <- reticulate::py_config()$python
    stop("The Python reticulate uses (", found, ") can't import augwidgets. Install it ",
         "there (", found, " -m pip install \"augwidgets[cpu]\"), or name a Python ",
         "that has it: use_augwidgets(python = \"path/to/python\") or ",
         "Sys.setenv(RETICULATE_PYTHON = \"path/to/python\") before library(augwidgets).",
         call. = FALSE)
  }
  invisible(reticulate::py_config()$python)
}

.python_executable <- function(path) {
  if (!dir.exists(path)) return(path)
  candidates <- file.path(path, c("bin/python", "Scripts/python.exe"))
  found <- candidates[file.exists(candidates)]
  if (length(found) == 0) {
    stop("`python` is a directory without bin/python: give a Python executable or a ",
         "virtual environment. Received: python = \"", path, "\"", call. = FALSE)
  }
  found[[1]]
}

#' Is augwidgets available from R?
#'
#' `TRUE` when reticulate's Python can import augwidgets. Starts Python if it
#' is not running yet (see [use_augwidgets()] to choose which).
#'
#' @return `TRUE` or `FALSE`.
#'
#' @section Python:
#' `reticulate::py_module_available("augwidgets")`.
#'
#' @section Units compared with keras3's layers:
#' No units; keras3's counterpart is `keras3::is_keras_available()`.
#'
#' @examples
#' augwidgets_available()
#' @export
augwidgets_available <- function() {
  isTRUE(tryCatch(reticulate::py_module_available("augwidgets"), error = function(e) FALSE))
}

#' The augwidgets Python module
#'
#' For the parts of augwidgets this package doesn't wrap: `diagnose()`, the
#' bundled `datasets`, the widgets. Values convert as reticulate converts them;
#' integers must be written `32L` where Python wants an `int`.
#'
#' @param convert Convert Python results to R objects (reticulate's `convert`).
#'
#' @return The Python module `augwidgets`.
#'
#' @section Python:
#' `import augwidgets`.
#'
#' @section Units compared with keras3's layers:
#' Python's augwidgets speaks the legacy generator's units (degrees, zoom
#' factors, shear in degrees); see [image_data_generator()] for keras3's.
#' Its `GeneratorAugmentation` is the same augmentation as one Keras layer.
#'
#' @examplesIf augwidgets_available()
#' aw <- import_augwidgets()
#' root <- aw$datasets$digits(file.path(tempdir(), "digits"))
#' list.files(file.path(as.character(root), "train"))
#' @export
import_augwidgets <- function(convert = TRUE) {
  reticulate::import("augwidgets", convert = convert)
}
