"""The short text the next-character task reads, written for dlviz: plain sentences with
repeated words, so a small recurrent network can learn its spelling in a minute.
"""

STORY = """
the keeper of the lighthouse wrote a line in her book every night. the sea was calm, she
wrote, and the light was bright. the next night the sea was rough, and the light was
bright. on the third night the wind came from the north, the rain came from the west, and
the light was still bright. she liked to write the same words, because the same words
meant that the light had done its work.

one night a small boat came close to the rocks. the keeper saw it from the top of the
tower. she turned the light toward the boat and rang the bell, once, twice, three times.
the boat turned away from the rocks and went back to the sea. in the morning the people
from the boat came to the door of the lighthouse with bread and fish. we saw the light,
they said, and we heard the bell. the keeper wrote in her book that night. the sea was
rough, the light was bright, and the boat went home.

the keeper had a cat that slept on the warm lamp room floor. the cat did not care for the
sea, or the boats, or the book. the cat cared for fish, and for the warm floor, and for
the keeper when she came down the stairs at the end of the night. the keeper talked to
the cat about the weather, and the cat listened, or slept, which is the same thing for a
cat.

in the winter the nights were long and the light had more work to do. the keeper cleaned
the glass in the morning, filled the lamp in the afternoon and lit it in the evening. she
counted the ships that passed. one, two, three, and on a busy night ten or more. she wrote
the number in her book beside the weather. the book grew thick, and the keeper began a
second book, and then a third.

in the spring a young man came to learn the work. he asked why she wrote the same words
every night. the keeper said that a light is a kind of memory. it remembers where the
rocks are, so that the ships do not have to. the book, she said, remembers the light. the
young man wrote his first line that night. the sea was calm, and the light was bright.
the keeper read it, nodded, and went down the stairs to feed the cat.
"""
