"""FastAPI dependencies, as `Annotated` aliases.

They are `async def` although they never wait: FastAPI runs a plain `def` dependency in the
thread pool, a thread hop (0.1-0.5 ms) for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.config import Settings
from assistant.engine import Engine, EngineHolder


async def app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_holder(request: Request) -> EngineHolder:
    """The holder of the serving engine (for reloads)."""
    holder: EngineHolder = request.app.state.engines
    return holder


async def get_engine(holder: Annotated[EngineHolder, Depends(get_holder)]) -> Engine:
    """The engine for this request, taken once so a reload cannot change it mid-request."""
    return holder.engine


SettingsDep = Annotated[Settings, Depends(app_settings)]
HolderDep = Annotated[EngineHolder, Depends(get_holder)]
EngineDep = Annotated[Engine, Depends(get_engine)]
