-- Category names as BPOM 3/2018 Annex I words them (DOMAIN.md §7): row 1 "Umbi lapis dan Umbi
-- akar", row 10 "Sayur kering, bumbu, rempah-rempah kering (dry herbs) dan herbs tea".

UPDATE food_categories
SET name_id = 'Umbi lapis dan umbi akar (bawang, bawang putih, kentang, jahe)',
    name_en = 'Bulbs and root tubers (onion, garlic, potato, ginger)'
WHERE code = 'bulbs_tubers';

UPDATE food_categories
SET name_id = 'Sayur kering, bumbu, rempah-rempah kering dan teh herbal',
    name_en = 'Dried vegetables, seasonings (bumbu), dried spices and herbs, herbal tea'
WHERE code = 'spices_herbs';
