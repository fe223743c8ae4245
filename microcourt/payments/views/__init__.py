"""The payments app's pages: the public fee calculator (``calculator``), the payer's order
pages and the providers' callback (``orders``), and the court's fee desk (``court``)."""
