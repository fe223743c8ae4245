"""Payment providers behind one interface (:mod:`.base`): the built-in sandbox (default),
WeChat Pay API v3 and Alipay. Import the interface from :mod:`.base`."""
