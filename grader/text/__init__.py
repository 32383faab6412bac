"""Text for people: the sanitiser every report and the gradebook share, colour on a terminal, plurals."""
