"""Where the plugin keeps its settings.

The server URL, limit and model live in QgsSettings (the user's profile, never the project file).
The API key lives only in QGIS's encrypted authentication database: QgsSettings keeps just the id of
an auth configuration (``authcfg``), as QGIS's own data-source connections do.
"""

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsSettings

PREFIX = "rsgeosearch/"
DEFAULT_URL = "http://127.0.0.1:8080"
AUTH_METHOD = "Basic"          # username "rsgeosearch-api-key", password = the key
AUTH_USERNAME = "rsgeosearch-api-key"
AUTH_NAME = "RsGeoSearch API key"


def _settings():
    return QgsSettings()


def server_url():
    return _settings().value(PREFIX + "server_url", DEFAULT_URL, type=str) or DEFAULT_URL


def set_server_url(url):
    _settings().setValue(PREFIX + "server_url", (url or "").strip())


def authcfg():
    return _settings().value(PREFIX + "authcfg", "", type=str) or ""


def set_authcfg(cfg_id):
    _settings().setValue(PREFIX + "authcfg", cfg_id or "")


def limit():
    return _settings().value(PREFIX + "limit", 50, type=int)


def set_limit(value):
    _settings().setValue(PREFIX + "limit", int(value))


def model():
    return _settings().value(PREFIX + "model", "", type=str) or ""


def set_model(name):
    _settings().setValue(PREFIX + "model", name or "")


def reuse_layer():
    """True (default): a new search refills the previous result layer instead of adding another one."""
    return _settings().value(PREFIX + "reuse_layer", True, type=bool)


def set_reuse_layer(on):
    _settings().setValue(PREFIX + "reuse_layer", bool(on))


class AuthError(Exception):
    pass


def _manager():
    manager = QgsApplication.authManager()
    if manager is None or manager.isDisabled():
        raise AuthError("QGIS's authentication system is not available: {}".format(
            manager.disabledMessage() if manager is not None else "no auth manager"))
    return manager


def store_api_key(key, cfg_id=None):
    """Saves ``key`` in the auth database (a new config, or ``cfg_id`` updated) and returns the config id.

    QGIS asks for the master password the first time if it is not set yet."""
    manager = _manager()
    if not manager.setMasterPassword(True):
        raise AuthError("The QGIS master password is not set, so the API key cannot be stored securely")
    config = QgsAuthMethodConfig(AUTH_METHOD)
    config.setName(AUTH_NAME)
    config.setConfig("username", AUTH_USERNAME)
    config.setConfig("password", key)
    if cfg_id and cfg_id in manager.configIds():
        config.setId(cfg_id)
        if not manager.updateAuthenticationConfig(config):
            raise AuthError("Could not update auth configuration {}".format(cfg_id))
        return cfg_id
    result = manager.storeAuthenticationConfig(config)
    ok = result[0] if isinstance(result, tuple) else bool(result)
    if not ok or not config.id():
        raise AuthError("Could not store the API key in the QGIS authentication database")
    return config.id()


def api_key(cfg_id=None):
    """The API key stored under ``cfg_id`` (default: the plugin's configured one), or None.

    A config of another method works too: its ``password`` (Basic), ``token`` or ``key`` entry is used."""
    cfg_id = authcfg() if cfg_id is None else cfg_id
    if not cfg_id:
        return None
    manager = _manager()
    config = QgsAuthMethodConfig()
    result = manager.loadAuthenticationConfig(cfg_id, config, True)
    ok = result[0] if isinstance(result, tuple) else bool(result)
    if isinstance(result, tuple) and len(result) > 1 and isinstance(result[1], QgsAuthMethodConfig):
        config = result[1]
    if not ok or not config.isValid(True):
        raise AuthError("The auth configuration '{}' for the RsGeoSearch API key could not be loaded".format(cfg_id))
    for name in ("password", "token", "key", "value"):
        value = config.config(name)
        if value:
            return value
    return None


def remove_api_key(cfg_id=None):
    cfg_id = authcfg() if cfg_id is None else cfg_id
    if cfg_id:
        manager = _manager()
        if cfg_id in manager.configIds():
            manager.removeAuthenticationConfig(cfg_id)
    set_authcfg("")
