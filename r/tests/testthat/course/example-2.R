library(augwidgets)
train_generator <- flow_images_from_directory(
  directory = "path/to/train/images", target_size = c(224, 224), batch_size = 32,
  class_mode = "categorical", rescale = 1/255, rotation_range = 20, width_shift_range = 0.2,
  height_shift_range = 0.2, shear_range = 0.2, zoom_range = 0.2, horizontal_flip = TRUE)
