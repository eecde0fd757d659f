from . import chain


class RememberChainMiddleware:
    """Each request asks the chain each question once (accounts.chain.remembering): the
    path ahead, recusal and copy-to of one page ask the same ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with chain.remembering():
            return self.get_response(request)
