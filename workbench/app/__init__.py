"""The Streamlit workshop app: one module per page, each with one page function.

Pages build widgets and call into :mod:`workbench`; session state is kept by
:mod:`workbench.app.state`. ``streamlit_app.py`` at the repository root contains the
navigation.
"""
