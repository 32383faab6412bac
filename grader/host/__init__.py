"""The candidate's side of the wall: the app host that imports one candidate file and answers the judge.

Everything in this package runs in a sandboxed process (see ``grader.sandbox``). It imports only the protocol,
the sandbox, the module loader and the web stack; nothing on the judge's side imports it except to start it.
"""
