import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0008_record_lead_image_renditions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='status_before_trash',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published'), ('archived', 'Archived'), ('trashed', 'In the trash')], editable=False, max_length=20, verbose_name='status before the trash'),
        ),
        migrations.AddField(
            model_name='article',
            name='trashed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='moved to the trash'),
        ),
        migrations.AddField(
            model_name='article',
            name='trashed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='moved to the trash by'),
        ),
        migrations.AlterField(
            model_name='article',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published'), ('archived', 'Archived'), ('trashed', 'In the trash')], db_index=True, default='draft', max_length=20, verbose_name='status'),
        ),
    ]
