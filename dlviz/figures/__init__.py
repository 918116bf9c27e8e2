"""Plotly figures for every dlviz topic; each function takes NumPy arrays and returns go.Figure."""
