"""looop: a tiny, Kubernetes-shaped control loop for a person's work.

Once per beat: sense the world, hash what matters, and only when something
changed hand it to an LLM runner that makes exactly one move.
"""

__version__ = "0.1.0"
