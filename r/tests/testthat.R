library(testthat)
library(augwidgets)

test_check("augwidgets")
