"""LEAN Workbench workshop app: navigation only; the pages live in workbench.app.

Run with ``streamlit run streamlit_app.py``. It opens on the bundled permit_intake
before/after pair and saves drafts to the file that ``WORKBENCH_DRAFTS`` names
(default under the user's application data folder).
"""

import streamlit as st

from workbench.app import state
from workbench.app.build_page import build_page
from workbench.app.export_page import export_page
from workbench.app.import_page import import_page
from workbench.app.map_page import map_page
from workbench.app.redesign_page import redesign_page
from workbench.app.simulate_page import simulate_page

st.set_page_config(page_title="LEAN Workbench", layout="wide")
state.ensure_session()
state.offer_draft()
navigation = st.navigation(
    [
        st.Page(map_page, title="Map", url_path="map", default=True),
        st.Page(build_page, title="Build", url_path="build"),
        st.Page(redesign_page, title="Redesign", url_path="redesign"),
        st.Page(simulate_page, title="Simulate and compare", url_path="simulate"),
        st.Page(export_page, title="Export", url_path="export"),
        st.Page(import_page, title="Import an event log", url_path="import"),
    ]
)
navigation.run()
state.autosave()
