"""Reports: the interest-topic page, offline pyLDAvis and customer cards.

``data.build_report_data`` computes the numbers from plain tables; ``render`` turns them into
pages; ``ldavis`` writes the self-contained pyLDAvis file. ``textprofile.pipeline.report``
gathers the tables from a workspace.
"""
