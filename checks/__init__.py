"""Page Markdown -> executable blocks -> results and reports. Imports nothing from generator.

``problems`` is the vocabulary both packages share (``Problem``, ``Severity``,
``ExitCode``, ``Outcome``, ``did_you_mean``); ``model`` the executable side's data
(``Check``, ``Variable``, ``Result``, ``SourceLocation``); ``header`` the fence header
grammar the generator writes with and ``extract`` reads with (``page_variables`` the
page's variables block); ``select`` which blocks a run takes and the risk policy of each;
``variables`` where each value comes from and the environment a block gets; ``run`` a
block -> a judged result (processes, timeouts, the tee, redaction, consent); ``shell``
what a bash block reads and whether it parses; ``report`` and ``outputs`` the terminal
summary, JSON, JUnit, transcript and step summary; ``terminal``, ``encoding``,
``patterns`` (user regexes in bounded time) and ``files`` are their small helpers.
"""
