"""The iterators ``ImageDataGenerator`` returns, one file each, on one base class."""
