-- Hazard list filters at a million hazards (measured in bench/hazards): each filter an officer uses gets an
-- index that starts with the department (every officer's list is limited to it) and holds the filtered column,
-- so the capped count and the page are answered from the index instead of reading table rows.
CREATE INDEX idx_hazards_department_category ON hazards (department_code, category, id);
CREATE INDEX idx_hazards_department_region ON hazards (department_code, region_code, id);
CREATE INDEX idx_hazards_department_severity ON hazards (department_code, severity, state, deadline);
