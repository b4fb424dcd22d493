test_that("every help page says what it maps to in Python and how keras3's units differ", {
  pages <- tools::Rd_db("augwidgets")
  skip_if(length(pages) == 0, "help pages not installed")
  section_titles <- function(rd) {
    sections <- Filter(function(part) identical(attr(part, "Rd_tag"), "\\section"), rd)
    vapply(sections, function(section) paste(unlist(section[[1]]), collapse = ""),
           character(1))
  }
  for (name in names(pages)) {
    titles <- section_titles(pages[[name]])
    expect_true("Python" %in% titles, label = paste(name, "has a Python section"))
    expect_true("Units compared with keras3's layers" %in% titles,
                label = paste(name, "has a keras3 units section"))
  }
  expect_gte(length(pages), 15)
})
